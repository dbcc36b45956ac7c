/*
 * What a user should do about a failed delivery: the robot's refusal
 * (errcode and message) turned into the config setting to fix.
 */
#ifndef HINT_H
#define HINT_H

struct delivery;

/* A sentence for d, or NULL when there is nothing more to say. */
const char *hint_for(const struct delivery *d);
/*
 * Why a body with "msgtype"/"msg_type" and no "type" is refused: PGYER's
 * webhook of a robot type formats the robot message itself.
 */
extern const char hint_robot_typed[];

#endif
