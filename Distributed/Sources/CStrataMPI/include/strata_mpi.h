#ifndef STRATA_MPI_H
#define STRATA_MPI_H

/// Initializes MPI (once per process) and starts the watchdog: a collective operation that
/// waits longer than `timeout_seconds` (a peer died or hangs) prints a message naming this rank
/// and ends the process with exit code 3, so that mpirun ends the whole job. Returns 0 on success.
int strata_mpi_init(double timeout_seconds);
/// This process's rank in MPI_COMM_WORLD.
int strata_mpi_rank(void);
/// The number of processes in MPI_COMM_WORLD.
int strata_mpi_size(void);
/// In-place sums over all ranks; 0 on success.
int strata_mpi_allreduce_float(float *values, long count);
int strata_mpi_allreduce_double(double *values, long count);
/// Starts an in-place sum over all ranks and returns at once; `*request` receives a handle that
/// `strata_mpi_wait` completes (and frees). `values` must stay untouched until then. 0 on success.
int strata_mpi_iallreduce_float(float *values, long count, void **request);
/// Waits for the operation `request` stands for and frees the handle; 0 on success.
/// The all-reduce of `values` sent as bfloat16 (summed in float32, rounded), written back.
int strata_mpi_allreduce_bf16(float *values, long count);
/// Starts an all-reduce of `values` sent as bfloat16 (summed in float32, rounded); strata_mpi_wait writes the sum back.
int strata_mpi_iallreduce_bf16(float *values, long count, void **request);
int strata_mpi_wait(void *request);
/// Rank 0's bytes everywhere; 0 on success.
int strata_mpi_broadcast(void *bytes, long count);
/// Ends every rank of the job with `code` (after an error on this rank).
void strata_mpi_abort(int code);
/// The text of an MPI error code, in `text` (NUL-terminated, at most `capacity` bytes).
void strata_mpi_error_text(int code, char *text, int capacity);
/// Ends MPI (call once, at exit).
void strata_mpi_finalize(void);
/// Seconds spent inside all-reduce calls, starting and waiting for them included, since
/// initialization (this rank).
double strata_mpi_allreduce_seconds(void);
/// Bytes of payload handed to all-reduce calls so far.
double strata_mpi_allreduce_bytes(void);

#endif
