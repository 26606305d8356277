/* Two-phase commit (TLA+ Examples' TwoPhase), as in shared/conformance.md, for the
 * benchmark (python bench/bench.py). One process; each action instance is one
 * d_step alternative of the loop, so every transition of TLC's spec is one transition
 * here and the state is the variables only: the counts agree with TLC and kovn.
 * Build: spin -a -DN=7 twophase.pml; gcc -O2 -DBFS -DNOREDUCE -o pan pan.c; ./pan -E
 * N: number of resource managers, 1..8. */
#ifndef N
#define N 3
#endif

#define WORKING   0
#define PREPARED  1
#define COMMITTED 2
#define ABORTED   3
#define TM_INIT      0
#define TM_COMMITTED 1
#define TM_ABORTED   2
#define COMMIT_MSG (1 << N)        /* msgs: bit r = Prepared(r), then Commit, Abort */
#define ABORT_MSG  (1 << (N + 1))
#define ALL_RM     ((1 << N) - 1)

byte rmState[N];
byte tmState;
byte tmPrepared;                   /* bit r: r in tmPrepared */
unsigned msgs : 10;

/* TCConsistent: no RM aborted while another committed */
#define SOME(st) (rmState[0] == st || (N > 1 && rmState[1 % N] == st) || (N > 2 && rmState[2 % N] == st) \
  || (N > 3 && rmState[3 % N] == st) || (N > 4 && rmState[4 % N] == st) || (N > 5 && rmState[5 % N] == st) \
  || (N > 6 && rmState[6 % N] == st) || (N > 7 && rmState[7 % N] == st))
#define CHECK assert(!(SOME(ABORTED) && SOME(COMMITTED)))

#define RM(r) \
  :: d_step { tmState == TM_INIT && (msgs & (1 << r)) -> tmPrepared = tmPrepared | (1 << r); CHECK } \
  :: d_step { rmState[r] == WORKING -> rmState[r] = PREPARED; msgs = msgs | (1 << r); CHECK } \
  :: d_step { rmState[r] == WORKING -> rmState[r] = ABORTED; CHECK } \
  :: d_step { msgs & COMMIT_MSG -> rmState[r] = COMMITTED; CHECK } \
  :: d_step { msgs & ABORT_MSG -> rmState[r] = ABORTED; CHECK }

active proctype TwoPhase() {
  do
  :: d_step { tmState == TM_INIT && tmPrepared == ALL_RM -> tmState = TM_COMMITTED; msgs = msgs | COMMIT_MSG; CHECK }
  :: d_step { tmState == TM_INIT -> tmState = TM_ABORTED; msgs = msgs | ABORT_MSG; CHECK }
  RM(0)
#if N > 1
  RM(1)
#endif
#if N > 2
  RM(2)
#endif
#if N > 3
  RM(3)
#endif
#if N > 4
  RM(4)
#endif
#if N > 5
  RM(5)
#endif
#if N > 6
  RM(6)
#endif
#if N > 7
  RM(7)
#endif
  od
}
