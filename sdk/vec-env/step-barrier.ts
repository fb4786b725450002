// A barrier in shared memory where the env groups of one collect() meet once per step, for observation
// statistics updated at every step: a group may fold step t's observations into the statistics only once
// every group has written its envs' rows of step t. No messages: Atomics on four Int32 slots of the rollout
// buffer (the main thread zeroes them before each collect). Only worker threads wait here — the main thread
// runs a single group (numWorkers = 0), which never waits.
//
// A group that fails marks the barrier failed and wakes the others, which then stop their collect instead of
// waiting for a step that will never come; the failed group's own error is what rejects the collect.

const ARRIVED = 0;
const GENERATION = 1;
const FAILED = 2;
/** How long one wait lasts before the failure flag is looked at again (a safety net; failures also notify). */
const WAIT_MS = 1000;

export class StepBarrier {
  constructor(
    private readonly slots: Int32Array,
    private readonly parties: number,
  ) {}

  /** Zero the slots (the main thread, before dispatching a collect). */
  static reset(slots: Int32Array): void {
    slots.fill(0);
  }

  /**
   * Block until all parties have arrived (true; the writes each party made before arriving are visible
   * after), or until one has failed (false).
   */
  arrive(): boolean {
    if (this.parties <= 1) return true;
    const s = this.slots;
    const generation = Atomics.load(s, GENERATION);
    if (Atomics.add(s, ARRIVED, 1) === this.parties - 1) {
      Atomics.store(s, ARRIVED, 0);
      Atomics.add(s, GENERATION, 1);
      Atomics.notify(s, GENERATION);
      return Atomics.load(s, FAILED) === 0;
    }
    for (;;) {
      if (Atomics.load(s, FAILED) !== 0) return false;
      if (Atomics.load(s, GENERATION) !== generation) return true;
      Atomics.wait(s, GENERATION, generation, WAIT_MS);
    }
  }

  /** Tell the other parties that this one will not arrive again. */
  fail(): void {
    Atomics.store(this.slots, FAILED, 1);
    Atomics.add(this.slots, GENERATION, 1);
    Atomics.notify(this.slots, GENERATION);
  }
}
