/**
 * A lease's byte meter across peer generations. WireGuard's counters restart at zero whenever the peer is
 * re-added or wireguard-go restarts; the meter keeps what earlier generations counted (`carried`) and the
 * last raw reading of the current one (`seen`). rx is the client's upload.
 */
export type MeterState = { carriedUp: number; carriedDown: number; seenUp: number; seenDown: number };

export type MeterTotals = { bytesUp: number; bytesDown: number };

/** Folds a raw counter reading into the meter. A reading below the last one starts a new generation. */
export function readMeter(state: MeterState, raw: { rxBytes: number; txBytes: number }): MeterState {
  const next = { ...state };
  if (raw.rxBytes < state.seenUp) next.carriedUp += state.seenUp;
  if (raw.txBytes < state.seenDown) next.carriedDown += state.seenDown;
  next.seenUp = raw.rxBytes;
  next.seenDown = raw.txBytes;
  return next;
}

export function meterTotals(state: MeterState): MeterTotals {
  return { bytesUp: state.carriedUp + state.seenUp, bytesDown: state.carriedDown + state.seenDown };
}

/** The peer is gone (expired, closed, device lost): what it counted is final, the next generation starts at 0. */
export function endGeneration(state: MeterState): MeterState {
  return {
    carriedUp: state.carriedUp + state.seenUp,
    carriedDown: state.carriedDown + state.seenDown,
    seenUp: 0,
    seenDown: 0,
  };
}
