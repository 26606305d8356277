/* The water jugs (Die Hard), as in shared/conformance.md, for the benchmark (python -m
 * bench/bench.py): K = 4 jugs of capacities 20, 31, 47, 61 (the whole state space, no
 * invariant). One process; each action instance (Fill(j), Empty(j), Pour(i, j) for
 * i != j) is one d_step alternative of its loop, so the counts agree with TLC and kovn.
 * Build: spin -a diehard.pml; gcc -O2 -DBFS -DNOREDUCE -o pan pan.c; ./pan -E */
#define K 4
#define CAP(j) (j == 0 -> 20 : (j == 1 -> 31 : (j == 2 -> 47 : 61)))
short jug[K];
short amt;                       /* scratch, reset to 0 at the end of every step */

#define FILL(j)  :: d_step { true -> jug[j] = CAP(j) }
#define EMPTY(j) :: d_step { true -> jug[j] = 0 }
#define POUR(i, j) :: d_step { true -> \
    amt = (jug[i] < CAP(j) - jug[j] -> jug[i] : CAP(j) - jug[j]); \
    jug[i] = jug[i] - amt; jug[j] = jug[j] + amt; amt = 0 }

active proctype Jugs() {
  do
  FILL(0) FILL(1) FILL(2) FILL(3)
  EMPTY(0) EMPTY(1) EMPTY(2) EMPTY(3)
  POUR(0, 1) POUR(0, 2) POUR(0, 3)
  POUR(1, 0) POUR(1, 2) POUR(1, 3)
  POUR(2, 0) POUR(2, 1) POUR(2, 3)
  POUR(3, 0) POUR(3, 1) POUR(3, 2)
  od
}
