#ifndef TACHO_CNATS_SHIM_H
#define TACHO_CNATS_SHIM_H

#include <nats/nats.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The few JetStream calls Tacho makes, each a plain C function over the official
 * client, so the Swift side passes strings and byte buffers, never the option
 * structs (whose `const char **` members are awkward to build from Swift).
 * Every function fills `error` (a caller buffer) with a readable reason on failure.
 */

static inline void tacho_nats_error(natsStatus s, jsErrCode code, char *error, size_t errorSize) {
    if (error == NULL || errorSize == 0) return;
    const char *last = nats_GetLastError(NULL);
    if (code != 0) {
        snprintf(error, errorSize, "%s (JetStream error %d)%s%s", natsStatus_GetText(s), (int)code,
                 last ? ": " : "", last ? last : "");
    } else {
        snprintf(error, errorSize, "%s%s%s", natsStatus_GetText(s), last ? ": " : "", last ? last : "");
    }
}

/* Given to the client so that a first connect that fails returns at once (and goes on
 * in the background) instead of blocking until a server answers. */
static void tacho_nats_connected(natsConnection *nc, void *closure) { (void)nc; (void)closure; }

/* Connects to any of `urls` (comma separated); reconnects forever in the background
 * after a loss, and with `retryFirst` keeps trying when no server answers at start. */
static inline natsStatus tacho_nats_connect(natsConnection **nc, const char *urls, const char *name,
                                            int64_t timeoutMs, bool retryFirst, char *error, size_t errorSize) {
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    /* The list as given (comma separated, at most 32): the client learns the rest of
     * the cluster from the servers it reaches. */
    char copy[4096];
    const char *servers[32];
    int count = 0;
    snprintf(copy, sizeof(copy), "%s", urls);
    for (char *save = NULL, *url = strtok_r(copy, ",", &save); url != NULL && count < 32; url = strtok_r(NULL, ",", &save)) {
        while (*url == ' ') url++;
        if (*url != 0) servers[count++] = url;
    }
    if (s == NATS_OK) s = count > 0 ? natsOptions_SetServers(opts, servers, count) : NATS_INVALID_ARG;
    if (s == NATS_OK) s = natsOptions_SetNoRandomize(opts, false);
    if (s == NATS_OK) s = natsOptions_SetName(opts, name);
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, timeoutMs);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, 2000);
    if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, 2);
    if (s == NATS_OK && retryFirst) s = natsOptions_SetRetryOnFailedConnect(opts, true, tacho_nats_connected, NULL);
    if (s == NATS_OK) s = natsConnection_Connect(nc, opts);
    if (s == NATS_NOT_YET_CONNECTED) s = NATS_OK;
    if (s != NATS_OK) tacho_nats_error(s, 0, error, errorSize);
    natsOptions_Destroy(opts);
    return s;
}

static inline natsStatus tacho_js_context(jsCtx **js, natsConnection *nc, int64_t waitMs, char *error, size_t errorSize) {
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = waitMs;
    natsStatus s = natsConnection_JetStream(js, nc, &o);
    if (s != NATS_OK) tacho_nats_error(s, 0, error, errorSize);
    return s;
}

/* The stream's first and last sequence and message count; `found` false when absent. */
static inline natsStatus tacho_js_stream_state(jsCtx *js, const char *stream, bool *found, uint64_t *firstSeq,
                                               uint64_t *lastSeq, uint64_t *msgs, int64_t *replicas,
                                               char *error, size_t errorSize) {
    jsStreamInfo *si = NULL;
    jsErrCode code = 0;
    natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, &code);
    *found = false;
    if (s == NATS_NOT_FOUND) return NATS_OK;
    if (s != NATS_OK) { tacho_nats_error(s, code, error, errorSize); return s; }
    *found = true;
    *firstSeq = si->State.FirstSeq;
    *lastSeq = si->State.LastSeq;
    *msgs = si->State.Msgs;
    *replicas = si->Config ? si->Config->Replicas : 0;
    jsStreamInfo_Destroy(si);
    return NATS_OK;
}

/* Creates the stream (file storage, `replicas` copies, one subject, messages up to
 * `maxMsgBytes`, a de-duplication window of `duplicatesNs`). */
static inline natsStatus tacho_js_add_stream(jsCtx *js, const char *stream, const char *subject, int64_t replicas,
                                             int32_t maxMsgBytes, int64_t duplicatesNs, char *error, size_t errorSize) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char *subjects[1] = {subject};
    cfg.Name = stream;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Replicas = replicas;
    cfg.MaxMsgSize = maxMsgBytes;
    cfg.Duplicates = duplicatesNs;
    cfg.AllowDirect = true;
    jsStreamInfo *si = NULL;
    jsErrCode code = 0;
    natsStatus s = js_AddStream(&si, js, &cfg, NULL, &code);
    if (s != NATS_OK) tacho_nats_error(s, code, error, errorSize);
    if (si) jsStreamInfo_Destroy(si);
    return s;
}

/* Publishes `data` with a de-duplication id; with `expectLastMsgId` the stream refuses
 * it unless its last message has that id (one writer, no gap, no overlap). */
static inline natsStatus tacho_js_publish(jsCtx *js, const char *subject, const char *msgId, const char *expectLastMsgId,
                                          const char *leader, const void *data, int length, int64_t waitMs,
                                          uint64_t *sequence, bool *duplicate, int *errCode, char *error, size_t errorSize) {
    natsMsg *msg = NULL;
    natsStatus s = natsMsg_Create(&msg, subject, NULL, (const char *)data, length);
    if (s == NATS_OK && leader != NULL && leader[0] != 0) s = natsMsgHeader_Set(msg, "Tacho-Leader", leader);
    if (s != NATS_OK) { tacho_nats_error(s, 0, error, errorSize); natsMsg_Destroy(msg); return s; }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msgId;
    po.MaxWait = waitMs;
    if (expectLastMsgId != NULL && expectLastMsgId[0] != 0) po.ExpectLastMsgId = expectLastMsgId;
    jsPubAck *ack = NULL;
    jsErrCode code = 0;
    s = js_PublishMsg(&ack, js, msg, &po, &code);
    *errCode = (int)code;
    if (s == NATS_OK) {
        *sequence = ack->Sequence;
        *duplicate = ack->Duplicate;
    } else {
        tacho_nats_error(s, code, error, errorSize);
    }
    if (ack) jsPubAck_Destroy(ack);
    natsMsg_Destroy(msg);
    return s;
}

/* Message `seq` of the stream (`seq` 0: the last message of `subject`); NATS_NOT_FOUND when absent. */
static inline natsStatus tacho_js_get_msg(natsMsg **msg, jsCtx *js, const char *stream, const char *subject, uint64_t seq,
                                          char *error, size_t errorSize) {
    jsErrCode code = 0;
    natsStatus s = seq == 0 ? js_GetLastMsg(msg, js, stream, subject, NULL, &code) : js_GetMsg(msg, js, stream, seq, NULL, &code);
    if (s != NATS_OK && s != NATS_NOT_FOUND) tacho_nats_error(s, code, error, errorSize);
    return s;
}

/* An ordered consumer (flow control and heartbeats, re-created by the client on a gap)
 * delivering the stream from `startSeq` on. */
static inline natsStatus tacho_js_subscribe_ordered(natsSubscription **sub, jsCtx *js, const char *stream, const char *subject,
                                                    uint64_t startSeq, char *error, size_t errorSize) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = startSeq;
    jsErrCode code = 0;
    natsStatus s = js_SubscribeSync(sub, js, subject, NULL, &so, &code);
    if (s != NATS_OK) tacho_nats_error(s, code, error, errorSize);
    return s;
}

static inline const char *tacho_nats_msg_header(natsMsg *msg, const char *key) {
    const char *value = NULL;
    if (natsMsgHeader_Get(msg, key, &value) != NATS_OK) return NULL;
    return value;
}

static inline uint64_t tacho_nats_msg_stream_seq(natsMsg *msg) {
    jsMsgMetaData *meta = NULL;
    if (natsMsg_GetMetaData(&meta, msg) != NATS_OK || meta == NULL) return natsMsg_GetSequence(msg);
    uint64_t seq = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    return seq;
}

#endif
