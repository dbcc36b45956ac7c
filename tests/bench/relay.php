#!/usr/bin/php-cgi -dcgi.force_redirect=0
<?php
/*
 * What a user would deploy instead of pgyer-relay: a PHP relay with
 * curl_multi, the approach PGYER's docs sketch.  Same job, same config
 * file (PGYER_RELAY_CONFIG, plain JSON), same robots: checks method,
 * type, app and token, decodes the event, picks the subscribed webhooks,
 * formats a markdown message per robot (signing DingTalk and Feishu),
 * posts them all at once, judges the replies, answers a JSON summary.
 *
 * Run by php-cgi as a CGI (the shebang; force_redirect off so no
 * REDIRECT_STATUS is needed) or by php-cgi -b / php-fpm as FastCGI.
 * It is a bench reference, kept as plain as users write it.
 */

function answer($status, $body)
{
	header('Status: ' . $status);
	header('Content-Type: application/json');
	echo json_encode($body, JSON_UNESCAPED_UNICODE), "\n";
	exit;
}

function norm($s)
{
	return str_replace([' ', '_', '-'], '', strtolower((string)$s));
}

function subscribed($events, $type)
{
	$t = norm($type);
	foreach ($events as $e) {
		$e = norm($e);
		if ($e === 'update')
			$e = 'updateversion';
		if ($e === 'crash')
			$e = 'crashlog';
		if ($e === '*' || $e === $t)
			return true;
	}
	return false;
}

function message($ev, $hook)
{
	$tz = new DateTimeZone($GLOBALS['cfg']['timezone'] ?? 'Asia/Shanghai');
	$time = (new DateTime('@' . (int)($ev['timestamp'] ?? time())))
	    ->setTimezone($tz)->format('Y-m-d H:i:s');
	$title = "{$ev['title']} {$ev['action']}";
	$text = "### $title\n"
	    . "> 版本: {$ev['os_version']} ({$ev['build_version']})\n"
	    . "> 设备: {$ev['device_type']}\n"
	    . "> 时间: $time\n\n"
	    . "{$ev['message']}\n\n"
	    . ($ev['notes'] !== '' ? "{$ev['notes']}\n\n" : '')
	    . "[查看]({$ev['link']})";
	if (!empty($hook['keyword']) && strpos($text, $hook['keyword']) === false)
		$text .= "\n" . $hook['keyword'];
	$url = $hook['url'];
	switch ($hook['type']) {
	case 'wecom':
		$body = ['msgtype' => 'markdown',
		    'markdown' => ['content' => substr($text, 0, 4096)]];
		break;
	case 'dingtalk':
		$body = ['msgtype' => 'markdown',
		    'markdown' => ['title' => $title, 'text' => $text],
		    'at' => ['atMobiles' => $hook['at_mobiles'] ?? [],
		    'isAtAll' => !empty($hook['at_all'])]];
		if (!empty($hook['secret'])) {
			$ts = (string)round(microtime(true) * 1000);
			$sign = base64_encode(hash_hmac('sha256',
			    "$ts\n{$hook['secret']}", $hook['secret'], true));
			$url .= "&timestamp=$ts&sign=" . urlencode($sign);
		}
		break;
	case 'feishu':
		$body = ['msg_type' => 'post', 'content' => ['post' =>
		    ['zh_cn' => ['title' => $title, 'content' =>
		    [[['tag' => 'text', 'text' => $text]]]]]]];
		if (!empty($hook['secret'])) {
			$ts = (string)time();
			$body['timestamp'] = $ts;
			$body['sign'] = base64_encode(hash_hmac('sha256', '',
			    "$ts\n{$hook['secret']}", true));
		}
		break;
	default:
		return [$url, $GLOBALS['raw']];
	}
	return [$url, json_encode($body, JSON_UNESCAPED_UNICODE)];
}

if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
	header('Allow: POST');
	answer('405 Method Not Allowed', ['error' => 'only POST']);
}
if (stripos($_SERVER['CONTENT_TYPE'] ?? '', 'application/json') !== 0)
	answer('415 Unsupported Media Type', ['error' => 'not JSON']);
$cfg = json_decode((string)@file_get_contents(getenv('PGYER_RELAY_CONFIG')),
    true);
if (!is_array($cfg))
	answer('500 Internal Server Error', ['error' => 'configuration']);
$raw = file_get_contents('php://input');
if (strlen($raw) > ($cfg['max_body_bytes'] ?? 65536))
	answer('413 Payload Too Large', ['error' => 'too large']);
$ev = json_decode($raw, true);
if (!is_array($ev))
	answer('400 Bad Request', ['error' => 'invalid JSON']);
$ev = array_change_key_case($ev, CASE_LOWER) + array_fill_keys(['action',
    'title', 'link', 'message', 'type', 'os_version', 'build_version',
    'device_type', 'notes'], '');
if ($ev['type'] === '')
	answer('400 Bad Request', ['error' => 'no type']);
$key = $_GET['app'] ?? basename((string)$ev['link']);
$app = $cfg['apps'][$key] ?? null;
if ($app === null)
	answer('404 Not Found', ['error' => 'unknown app']);
if (isset($app['token']) &&
    !hash_equals($app['token'], (string)($_GET['token'] ?? '')))
	answer('403 Forbidden', ['error' => 'wrong token']);

$timeout = $cfg['timeout_ms'] ?? 5000;
$mh = curl_multi_init();
$xfers = [];
foreach ($app['webhooks'] as $hook) {
	if (($hook['enabled'] ?? true) === false ||
	    !subscribed($hook['events'], $ev['type']))
		continue;
	[$url, $body] = message($ev, $hook);
	$ch = curl_init($url);
	curl_setopt_array($ch, [CURLOPT_POST => true,
	    CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true,
	    CURLOPT_HTTPHEADER => ['Content-Type: application/json', 'Expect:'],
	    CURLOPT_TIMEOUT_MS => $timeout, CURLOPT_CONNECTTIMEOUT_MS => 3000,
	    CURLOPT_PROXY => $cfg['proxy'] ?? '',
	    CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS]);
	curl_multi_add_handle($mh, $ch);
	$xfers[] = [$hook['name'], $ch];
}
do {
	$st = curl_multi_exec($mh, $running);
	if ($running)
		curl_multi_select($mh, 1.0);
} while ($running && $st === CURLM_OK);

$out = ['app' => $key, 'type' => $ev['type'], 'delivered' => 0,
    'failed' => 0, 'webhooks' => []];
foreach ($xfers as [$name, $ch]) {
	$reply = json_decode((string)curl_multi_getcontent($ch), true);
	$code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
	$errcode = $reply['errcode'] ?? $reply['code'] ?? $reply['StatusCode']
	    ?? -1;
	$ok = $code >= 200 && $code < 300 && $errcode === 0;
	$out[$ok ? 'delivered' : 'failed']++;
	$out['webhooks'][] = ['name' => $name, 'ok' => $ok,
	    'error' => $ok ? null : (curl_error($ch) ?: "errcode $errcode")];
	curl_multi_remove_handle($mh, $ch);
	curl_close($ch);
}
curl_multi_close($mh);
answer($out['failed'] ? '502 Bad Gateway' : '200 OK', $out);
