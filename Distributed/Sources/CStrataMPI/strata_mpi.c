#include "strata_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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
    enter("MPI_Allreduce");
    int status = MPI_Allreduce(MPI_IN_PLACE, values, (int)count, type, MPI_SUM, MPI_COMM_WORLD);
    allreduce_seconds += leave();
    return status;
}

int strata_mpi_allreduce_float(float *values, long count) { return allreduce(values, count, MPI_FLOAT); }

int strata_mpi_allreduce_double(double *values, long count) { return allreduce(values, count, MPI_DOUBLE); }

int strata_mpi_iallreduce_float(float *values, long count, void **request) {
    *request = NULL;
    if (count > INT_MAX) return MPI_ERR_COUNT;
    MPI_Request *handle = malloc(sizeof *handle);
    if (handle == NULL) return MPI_ERR_NO_MEM;
    double started = now();
    int status = MPI_Iallreduce(MPI_IN_PLACE, values, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, handle);
    allreduce_seconds += now() - started;
    if (status != MPI_SUCCESS) {
        free(handle);
        return status;
    }
    *request = handle;
    return 0;
}

int strata_mpi_wait(void *request) {
    MPI_Request *handle = request;
    enter("MPI_Wait (all-reduce of gradients)");
    int status = MPI_Wait(handle, MPI_STATUS_IGNORE);
    allreduce_seconds += leave();
    free(handle);
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
