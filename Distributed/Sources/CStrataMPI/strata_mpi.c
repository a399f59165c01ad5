#include "strata_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int world_rank = -1;
static double watchdog_timeout = 0;
/// When the current collective started (0: none running), as the bits of a double.
static _Atomic unsigned long long collective_started;
static const char *_Atomic collective_name = "";
static double allreduce_seconds = 0;
/// Bytes this rank has handed to all-reduce calls (its payload, not the algorithm's traffic).
static double allreduce_bytes = 0;

static void enter(const char *name) {
    double t = now();
    unsigned long long bits;
    __builtin_memcpy(&bits, &t, sizeof bits);
    atomic_store(&collective_name, name);
    atomic_store(&collective_started, bits);
}

static double leave(void) {
    unsigned long long bits = atomic_exchange(&collective_started, 0ULL);
    double started;
    __builtin_memcpy(&started, &bits, sizeof started);
    return now() - started;
}

static void *watchdog(void *unused) {
    (void)unused;
    for (;;) {
        usleep(200 * 1000);
        unsigned long long bits = atomic_load(&collective_started);
        if (bits == 0) continue;
        double started;
        __builtin_memcpy(&started, &bits, sizeof started);
        double waited = now() - started;
        if (waited > watchdog_timeout) {
            fprintf(stderr,
                    "strata-mpi: rank %d waited %.0f s in %s for the other ranks (timeout %.0f s): a peer process "
                    "died or hangs; ending this process so that the job stops\n",
                    world_rank, waited, atomic_load(&collective_name), watchdog_timeout);
            fflush(stderr);
            _exit(3);
        }
    }
    return NULL;
}

int strata_mpi_init(double timeout_seconds) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    // Errors are returned (and reported by the caller) rather than aborting inside MPI.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (timeout_seconds > 0) {
        watchdog_timeout = timeout_seconds;
        pthread_t thread;
        if (pthread_create(&thread, NULL, watchdog, NULL) != 0) return 2;
        pthread_detach(thread);
    }
    return 0;
}

int strata_mpi_rank(void) { return world_rank; }

int strata_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

static int allreduce(void *values, long count, MPI_Datatype type) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    int size = 0;
    MPI_Type_size(type, &size);
    allreduce_bytes += (double)count * size;
    enter("MPI_Allreduce");
    int status = MPI_Allreduce(MPI_IN_PLACE, values, (int)count, type, MPI_SUM, MPI_COMM_WORLD);
    allreduce_seconds += leave();
    return status;
}

int strata_mpi_allreduce_float(float *values, long count) { return allreduce(values, count, MPI_FLOAT); }

int strata_mpi_allreduce_double(double *values, long count) { return allreduce(values, count, MPI_DOUBLE); }

// bfloat16 on the wire: the top 16 bits of a float32, rounded to nearest with ties to even (a
// NaN stays a quiet NaN). The reduction adds two bfloat16 arrays in float32 and rounds the sum.
static inline uint16_t to_bf16(float x) {   // branch-free, so that the packing loops vectorize
    uint32_t u;
    memcpy(&u, &x, 4);
    const uint32_t quiet_nan = (u >> 16) | 0x40u, rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
    return (uint16_t)((u & 0x7FFFFFFFu) > 0x7F800000u ? quiet_nan : rounded);
}

static inline float from_bf16(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

static void bf16_sum(void *in, void *inout, int *length, MPI_Datatype *type) {
    (void)type;
    const uint16_t *a = in;
    uint16_t *b = inout;
    for (int i = 0; i < *length; ++i) b[i] = to_bf16(from_bf16(a[i]) + from_bf16(b[i]));
}

static MPI_Op bf16_sum_op = MPI_OP_NULL;

/// `values` as bfloat16 in a new buffer (NULL when out of memory).
static uint16_t *packed_bf16(const float *values, long count) {
    uint16_t *wire = malloc((size_t)count * sizeof *wire);
    if (wire != NULL) for (long i = 0; i < count; ++i) wire[i] = to_bf16(values[i]);
    return wire;
}

static void unpack_bf16(const uint16_t *wire, long count, float *values) {
    for (long i = 0; i < count; ++i) values[i] = from_bf16(wire[i]);
}

static int bf16_op(MPI_Op *op) {
    if (bf16_sum_op == MPI_OP_NULL) {
        int status = MPI_Op_create(bf16_sum, 1, &bf16_sum_op);
        if (status != MPI_SUCCESS) return status;
    }
    *op = bf16_sum_op;
    return MPI_SUCCESS;
}

int strata_mpi_allreduce_bf16(float *values, long count) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    MPI_Op op;
    int status = bf16_op(&op);
    if (status != MPI_SUCCESS) return status;
    uint16_t *wire = packed_bf16(values, count);
    if (wire == NULL) return MPI_ERR_NO_MEM;
    allreduce_bytes += (double)count * 2;
    enter("MPI_Allreduce (bfloat16)");
    status = MPI_Allreduce(MPI_IN_PLACE, wire, (int)count, MPI_UINT16_T, op, MPI_COMM_WORLD);
    allreduce_seconds += leave();
    if (status == MPI_SUCCESS) unpack_bf16(wire, count, values);
    free(wire);
    return status;
}

/// An all-reduce in flight: its request and, for a bfloat16 one, the wire buffer to unpack into `values`.
struct pending {
    MPI_Request handle;
    float *values;
    uint16_t *wire;
    long count;
};

static int start(float *values, long count, int bfloat16, void **request) {
    *request = NULL;
    if (count > INT_MAX) return MPI_ERR_COUNT;
    struct pending *p = calloc(1, sizeof *p);
    if (p == NULL) return MPI_ERR_NO_MEM;
    p->values = values;
    p->count = count;
    allreduce_bytes += (double)count * (bfloat16 ? 2 : 4);
    double started = now();
    int status;
    if (bfloat16) {
        MPI_Op op;
        if ((status = bf16_op(&op)) != MPI_SUCCESS) {
            free(p);
            return status;
        }
        if ((p->wire = packed_bf16(values, count)) == NULL) {
            free(p);
            return MPI_ERR_NO_MEM;
        }
        status = MPI_Iallreduce(MPI_IN_PLACE, p->wire, (int)count, MPI_UINT16_T, op, MPI_COMM_WORLD, &p->handle);
    } else {
        status = MPI_Iallreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &p->handle);
    }
    allreduce_seconds += now() - started;
    if (status != MPI_SUCCESS) {
        free(p->wire);
        free(p);
        return status;
    }
    *request = p;
    return 0;
}

int strata_mpi_iallreduce_float(float *values, long count, void **request) { return start(values, count, 0, request); }

int strata_mpi_iallreduce_bf16(float *values, long count, void **request) { return start(values, count, 1, request); }

int strata_mpi_wait(void *request) {
    struct pending *p = request;
    enter("MPI_Wait (all-reduce of gradients)");
    int status = MPI_Wait(&p->handle, MPI_STATUS_IGNORE);
    allreduce_seconds += leave();
    if (p->wire != NULL) {
        if (status == MPI_SUCCESS) unpack_bf16(p->wire, p->count, p->values);
        free(p->wire);
    }
    free(p);
    return status;
}

int strata_mpi_broadcast(void *bytes, long count) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    enter("MPI_Bcast");
    int status = MPI_Bcast(bytes, (int)count, MPI_BYTE, 0, MPI_COMM_WORLD);
    leave();
    return status;
}

void strata_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

void strata_mpi_error_text(int code, char *text, int capacity) {
    int length = 0;
    char buffer[MPI_MAX_ERROR_STRING];
    if (MPI_Error_string(code, buffer, &length) != MPI_SUCCESS) length = snprintf(buffer, sizeof buffer, "MPI error %d", code);
    snprintf(text, (size_t)capacity, "%.*s", length, buffer);
}

void strata_mpi_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

double strata_mpi_allreduce_seconds(void) { return allreduce_seconds; }

double strata_mpi_allreduce_bytes(void) { return allreduce_bytes; }
