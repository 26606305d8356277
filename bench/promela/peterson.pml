/* Peterson's filter lock for N processes (ids 0..N-1), as in shared/conformance.md, for
 * the benchmark (python bench/bench.py). One process whose loop has one d_step
 * alternative per action instance (Enter, SetVictim, Pass, Exit of each i), so the
 * state is pc, level and victim only and the counts agree with TLC and kovn.
 * Build: spin -a -DN=5 peterson.pml; gcc -O2 -DBFS -DNOREDUCE -o pan pan.c; ./pan -E
 * N: 2..8. */
#ifndef N
#define N 3
#endif

#define NCS 0
#define SETVICTIM 1
#define WAIT 2
#define CS 3

byte pc[N];
byte level[N];
byte victim[N];        /* victim[l] for l in 1..N-1; victim[0] unused (always 0) */

/* k == i, or k is no process, or k is below i */
#define LOW(k, i) (k == i || k >= N || level[k % N] < level[i])
#define ALL_LOWER(i) (LOW(0, i) && LOW(1, i) && LOW(2, i) && LOW(3, i) && LOW(4, i) \
  && LOW(5, i) && LOW(6, i) && LOW(7, i))
#define INCS(k, i) (k != i && k < N && pc[k % N] == CS)
#define OTHER_IN_CS(i) (INCS(0, i) || INCS(1, i) || INCS(2, i) || INCS(3, i) || INCS(4, i) \
  || INCS(5, i) || INCS(6, i) || INCS(7, i))
/* MutualExclusion: only a step into cs can break it, so it is asserted there */
#define PROC(i) \
  :: d_step { pc[i] == NCS -> level[i] = 1; pc[i] = SETVICTIM } \
  :: d_step { pc[i] == SETVICTIM -> victim[level[i]] = i; pc[i] = WAIT } \
  :: d_step { pc[i] == WAIT && (ALL_LOWER(i) || victim[level[i]] != i) -> \
       if \
       :: level[i] == N - 1 -> pc[i] = CS; \
          assert(!OTHER_IN_CS(i)) \
       :: else -> level[i] = level[i] + 1; pc[i] = SETVICTIM \
       fi } \
  :: d_step { pc[i] == CS -> level[i] = 0; pc[i] = NCS }

active proctype Filter() {
  do
  PROC(0)
  PROC(1)
#if N > 2
  PROC(2)
#endif
#if N > 3
  PROC(3)
#endif
#if N > 4
  PROC(4)
#endif
#if N > 5
  PROC(5)
#endif
#if N > 6
  PROC(6)
#endif
#if N > 7
  PROC(7)
#endif
  od
}
