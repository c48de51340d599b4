/** Named limits and timings of the executor and its client; every bound lives here. */

/** Longest request or response line on the executor socket (task env can be large). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** Most tasks (running or exited but not destroyed) one executor keeps. */
export const MAX_TASKS = 256;
/** Most client connections one executor serves at once. */
export const MAX_CONNECTIONS = 64;
/** Most requests in flight on one connection (mostly long-polling `wait` calls). */
export const MAX_PENDING_REQUESTS_PER_CONNECTION = 2 * MAX_TASKS;
/** Longest task ID accepted (`<allocID>/<task>`). */
export const MAX_TASK_ID_BYTES = 512;
/** Longest task name, used in log file names. */
export const MAX_TASK_NAME_BYTES = 200;
/** Most arguments of a task command. */
export const MAX_TASK_ARGS = 4096;
/** Most log files kept per stream when a request asks for more. */
export const MAX_LOG_FILES = 1000;
/** Smallest log file size accepted, so rotation cannot spin on tiny files. */
export const MIN_LOG_FILE_SIZE_BYTES = 1;
/** Buffer size for copying task output into log files. */
export const LOG_COPY_BUFFER_BYTES = 64 * 1024;
/** How long after a task exits its output pipes may take to close before `wait` answers. */
export const LOG_DRAIN_TIMEOUT_MS = 2_000;
/** Default kill timeout when `stop` does not give one (Nomad's kill_timeout default). */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** Longest kill timeout accepted. */
export const MAX_STOP_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** How long to wait for a process to vanish after SIGKILL before giving up. */
export const KILL_WAIT_MS = 5_000;
/** Poll interval for tasks the executor did not start itself (degraded mode). */
export const ADOPTED_EXIT_POLL_MS = 250;
/** The executor exits after this long with no running task and no client connection. */
export const EXECUTOR_IDLE_EXIT_MS = 30_000;
/** How often the executor checks whether it has been idle long enough. */
export const IDLE_CHECK_INTERVAL_MS = 1_000;
/** The executor's own log file is rotated once it passes this size. */
export const MAX_EXECUTOR_LOG_BYTES = 8 * 1024 * 1024;
/** Linux limit on unix socket paths (sun_path is 108 bytes including the NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;
/** How long a client keeps trying to reach (and spawn) an executor. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** First retry delay while waiting for a freshly spawned executor. */
export const CONNECT_RETRY_MIN_MS = 20;
/** Largest retry delay while waiting for an executor. */
export const CONNECT_RETRY_MAX_MS = 500;
/** Spawn another executor if the last one has not answered after this long. */
export const RESPAWN_INTERVAL_MS = 5_000;
/** Clock ticks per second on Linux (`getconf CLK_TCK`; fixed at 100 by the kernel ABI). */
export const CLOCK_TICKS_PER_SECOND = 100;
/** Most processes scanned in /proc when collecting a task's process group. */
export const MAX_PROC_SCAN = 100_000;
/** A /proc scan is reused for this long by `stats` calls, which clients make every second. */
export const PROC_SCAN_CACHE_MS = 500;
/** How long a starting executor waits for the state directory lock held by an exiting one. */
export const LOCK_WAIT_MS = 3_000;
/** Retry interval while waiting for the state directory lock. */
export const LOCK_RETRY_MS = 50;
