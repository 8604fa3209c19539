/*
 * A PKCS#11 module for tests that forwards every call to another module (SoftHSM by default)
 * after a configurable delay, and fails or stalls calls on demand. Test fixture only: it is
 * loaded through STS_HSM_MODULE like any module.
 *
 * Environment (read once, at C_GetFunctionList):
 *   STS_SHIM_TARGET   the module to forward to (default /usr/lib/softhsm/libsofthsm2.so)
 *   STS_SHIM_CONTROL  a control file, re-read whenever it is replaced (another inode) or its
 *                     modification time changes: write a new file and rename it into place
 *
 * Control file, one `name=value` per line (missing names take the defaults in brackets):
 *   delay_us=N        sleep N microseconds before forwarding every call [0]
 *   fail=RV           answer RV (decimal or 0x hex, e.g. 0x30 CKR_DEVICE_ERROR) instead of
 *                     forwarding the calls that `only` selects [0: forward]
 *   hang_ms=N         sleep a further N milliseconds before forwarding the selected calls [0]
 *   only=C_Sign,...   the calls `fail` and `hang_ms` apply to [every call but C_Finalize]
 *   drop_sessions=G   whenever G differs from the last value seen, close every session of every
 *                     slot in the target (as a device reset does: the login is lost too)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef unsigned long U;
typedef void *P;
typedef U CK_RV;

#define CKR_OK 0UL
#define CKR_GENERAL_ERROR 5UL
#define CKR_ARGUMENTS_BAD 7UL

/* Every function of the version 2.40 CK_FUNCTION_LIST, in its order: name, parameters, arguments. */
#define SHIM_FUNCTIONS(X)                                                                     \
  X(C_Initialize, (P a), (a))                                                                 \
  X(C_Finalize, (P a), (a))                                                                   \
  X(C_GetInfo, (P a), (a))                                                                    \
  X(C_GetFunctionList, (P a), (a))                                                            \
  X(C_GetSlotList, (unsigned char a, P b, P c), (a, b, c))                                    \
  X(C_GetSlotInfo, (U a, P b), (a, b))                                                        \
  X(C_GetTokenInfo, (U a, P b), (a, b))                                                       \
  X(C_GetMechanismList, (U a, P b, P c), (a, b, c))                                           \
  X(C_GetMechanismInfo, (U a, U b, P c), (a, b, c))                                           \
  X(C_InitToken, (U a, P b, U c, P d), (a, b, c, d))                                          \
  X(C_InitPIN, (U a, P b, U c), (a, b, c))                                                    \
  X(C_SetPIN, (U a, P b, U c, P d, U e), (a, b, c, d, e))                                     \
  X(C_OpenSession, (U a, U b, P c, P d, P e), (a, b, c, d, e))                                \
  X(C_CloseSession, (U a), (a))                                                               \
  X(C_CloseAllSessions, (U a), (a))                                                           \
  X(C_GetSessionInfo, (U a, P b), (a, b))                                                     \
  X(C_GetOperationState, (U a, P b, P c), (a, b, c))                                          \
  X(C_SetOperationState, (U a, P b, U c, U d, U e), (a, b, c, d, e))                          \
  X(C_Login, (U a, U b, P c, U d), (a, b, c, d))                                              \
  X(C_Logout, (U a), (a))                                                                     \
  X(C_CreateObject, (U a, P b, U c, P d), (a, b, c, d))                                       \
  X(C_CopyObject, (U a, U b, P c, U d, P e), (a, b, c, d, e))                                 \
  X(C_DestroyObject, (U a, U b), (a, b))                                                      \
  X(C_GetObjectSize, (U a, U b, P c), (a, b, c))                                              \
  X(C_GetAttributeValue, (U a, U b, P c, U d), (a, b, c, d))                                  \
  X(C_SetAttributeValue, (U a, U b, P c, U d), (a, b, c, d))                                  \
  X(C_FindObjectsInit, (U a, P b, U c), (a, b, c))                                            \
  X(C_FindObjects, (U a, P b, U c, P d), (a, b, c, d))                                        \
  X(C_FindObjectsFinal, (U a), (a))                                                           \
  X(C_EncryptInit, (U a, P b, U c), (a, b, c))                                                \
  X(C_Encrypt, (U a, P b, U c, P d, P e), (a, b, c, d, e))                                    \
  X(C_EncryptUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                              \
  X(C_EncryptFinal, (U a, P b, P c), (a, b, c))                                               \
  X(C_DecryptInit, (U a, P b, U c), (a, b, c))                                                \
  X(C_Decrypt, (U a, P b, U c, P d, P e), (a, b, c, d, e))                                    \
  X(C_DecryptUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                              \
  X(C_DecryptFinal, (U a, P b, P c), (a, b, c))                                               \
  X(C_DigestInit, (U a, P b), (a, b))                                                         \
  X(C_Digest, (U a, P b, U c, P d, P e), (a, b, c, d, e))                                     \
  X(C_DigestUpdate, (U a, P b, U c), (a, b, c))                                               \
  X(C_DigestKey, (U a, U b), (a, b))                                                          \
  X(C_DigestFinal, (U a, P b, P c), (a, b, c))                                                \
  X(C_SignInit, (U a, P b, U c), (a, b, c))                                                   \
  X(C_Sign, (U a, P b, U c, P d, P e), (a, b, c, d, e))                                       \
  X(C_SignUpdate, (U a, P b, U c), (a, b, c))                                                 \
  X(C_SignFinal, (U a, P b, P c), (a, b, c))                                                  \
  X(C_SignRecoverInit, (U a, P b, U c), (a, b, c))                                            \
  X(C_SignRecover, (U a, P b, U c, P d, P e), (a, b, c, d, e))                                \
  X(C_VerifyInit, (U a, P b, U c), (a, b, c))                                                 \
  X(C_Verify, (U a, P b, U c, P d, U e), (a, b, c, d, e))                                     \
  X(C_VerifyUpdate, (U a, P b, U c), (a, b, c))                                               \
  X(C_VerifyFinal, (U a, P b, U c), (a, b, c))                                                \
  X(C_VerifyRecoverInit, (U a, P b, U c), (a, b, c))                                          \
  X(C_VerifyRecover, (U a, P b, U c, P d, P e), (a, b, c, d, e))                              \
  X(C_DigestEncryptUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                        \
  X(C_DecryptDigestUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                        \
  X(C_SignEncryptUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                          \
  X(C_DecryptVerifyUpdate, (U a, P b, U c, P d, P e), (a, b, c, d, e))                        \
  X(C_GenerateKey, (U a, P b, P c, U d, P e), (a, b, c, d, e))                                \
  X(C_GenerateKeyPair, (U a, P b, P c, U d, P e, U f, P g, P h), (a, b, c, d, e, f, g, h))    \
  X(C_WrapKey, (U a, P b, U c, U d, P e, P f), (a, b, c, d, e, f))                            \
  X(C_UnwrapKey, (U a, P b, U c, P d, U e, P f, U g, P h), (a, b, c, d, e, f, g, h))          \
  X(C_DeriveKey, (U a, P b, U c, P d, U e, P f), (a, b, c, d, e, f))                          \
  X(C_SeedRandom, (U a, P b, U c), (a, b, c))                                                 \
  X(C_GenerateRandom, (U a, P b, U c), (a, b, c))                                             \
  X(C_GetFunctionStatus, (U a), (a))                                                          \
  X(C_CancelFunction, (U a), (a))                                                             \
  X(C_WaitForSlotEvent, (U a, P b, P c), (a, b, c))

typedef struct {
  unsigned char major, minor;
} Version;

#define FIELD(name, params, args) CK_RV(*name) params;
typedef struct {
  Version version;
  SHIM_FUNCTIONS(FIELD)
} FunctionList;

/* The control file's settings. */
typedef struct {
  unsigned long delay_us;
  unsigned long fail;
  unsigned long hang_ms;
  char only[1024];
  char drop_sessions[64];
} Control;

static FunctionList *target;
static FunctionList shim;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Control control;
static struct timespec control_mtime;
static ino_t control_inode;
static char last_drop[64];
static const char *control_path;

static void sleep_us(unsigned long us) {
  if (us == 0) return;
  struct timespec t = {(time_t)(us / 1000000UL), (long)(us % 1000000UL) * 1000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

static void parse_control(FILE *file, Control *out) {
  char line[1200];
  memset(out, 0, sizeof *out);
  while (fgets(line, sizeof line, file) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    char *eq = strchr(line, '=');
    if (eq == NULL) continue;
    *eq = '\0';
    const char *value = eq + 1;
    if (strcmp(line, "delay_us") == 0) out->delay_us = strtoul(value, NULL, 0);
    else if (strcmp(line, "fail") == 0) out->fail = strtoul(value, NULL, 0);
    else if (strcmp(line, "hang_ms") == 0) out->hang_ms = strtoul(value, NULL, 0);
    else if (strcmp(line, "only") == 0) snprintf(out->only, sizeof out->only, ",%s,", value);
    else if (strcmp(line, "drop_sessions") == 0)
      snprintf(out->drop_sessions, sizeof out->drop_sessions, "%s", value);
  }
}

/* Closes every session of every slot of the target (a device reset). */
static void drop_all_sessions(void) {
  U slots[64];
  U count = 64;
  if (target->C_GetSlotList(0, slots, &count) != CKR_OK) return;
  for (U i = 0; i < count && i < 64; i++) target->C_CloseAllSessions(slots[i]);
}

/* The current settings: the control file is parsed again when its modification time changed. */
static Control current_control(void) {
  Control now;
  pthread_mutex_lock(&lock);
  struct stat st;
  if (control_path != NULL && stat(control_path, &st) == 0) {
    if (st.st_ino != control_inode || st.st_mtim.tv_sec != control_mtime.tv_sec ||
        st.st_mtim.tv_nsec != control_mtime.tv_nsec) {
      FILE *file = fopen(control_path, "r");
      if (file != NULL) {
        parse_control(file, &control);
        fclose(file);
        control_mtime = st.st_mtim;
        control_inode = st.st_ino;
      }
    }
  } else {
    memset(&control, 0, sizeof control);
    memset(&control_mtime, 0, sizeof control_mtime);
    control_inode = 0;
  }
  now = control;
  int drop = now.drop_sessions[0] != '\0' && strcmp(now.drop_sessions, last_drop) != 0;
  if (drop) snprintf(last_drop, sizeof last_drop, "%s", now.drop_sessions);
  pthread_mutex_unlock(&lock);
  if (drop) drop_all_sessions();
  return now;
}

static int selected(const Control *c, const char *name) {
  if (c->only[0] == '\0') return strcmp(name, "C_Finalize") != 0;
  char needle[80];
  snprintf(needle, sizeof needle, ",%s,", name);
  return strstr(c->only, needle) != NULL;
}

/* Delay, then the selected fault or stall; returns CKR_OK when the call should be forwarded. */
static CK_RV before_call(const char *name) {
  Control c = current_control();
  sleep_us(c.delay_us);
  if (!selected(&c, name)) return CKR_OK;
  sleep_us(c.hang_ms * 1000UL);
  return c.fail;
}

#define WRAPPER(name, params, args)                                                           \
  static CK_RV shim_##name params {                                                           \
    CK_RV injected = before_call(#name);                                                      \
    if (injected != CKR_OK) return injected;                                                  \
    return target->name args;                                                                 \
  }
SHIM_FUNCTIONS(WRAPPER)

static int load_target(void) {
  if (target != NULL) return 1;
  const char *path = getenv("STS_SHIM_TARGET");
  if (path == NULL || path[0] == '\0') path = "/usr/lib/softhsm/libsofthsm2.so";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "pkcs11-shim: cannot load %s: %s\n", path, dlerror());
    return 0;
  }
  CK_RV (*get)(FunctionList **) = (CK_RV(*)(FunctionList **))dlsym(library, "C_GetFunctionList");
  if (get == NULL || get(&target) != CKR_OK || target == NULL) {
    fprintf(stderr, "pkcs11-shim: %s has no usable C_GetFunctionList\n", path);
    target = NULL;
    return 0;
  }
  control_path = getenv("STS_SHIM_CONTROL");
#define ASSIGN(name, params, args) shim.name = shim_##name;
  SHIM_FUNCTIONS(ASSIGN)
  shim.version = target->version;
  return 1;
}

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(FunctionList **list) {
  if (list == NULL) return CKR_ARGUMENTS_BAD;
  pthread_mutex_lock(&lock);
  int ok = load_target();
  pthread_mutex_unlock(&lock);
  if (!ok) return CKR_GENERAL_ERROR;
  *list = &shim;
  return CKR_OK;
}
