import { useEffect, useRef, useState } from "react";
import type { SessionView } from "../api/views.ts";
import { addSample, type ByteSample, rateFromSamples } from "./model/dataAllowance.ts";

/**
 * The session's bytes per second from the snapshots as they arrive (each carries the node's count), for when
 * the core has no rate of its own to give; null before two snapshots.
 */
export function useByteRate(session: SessionView): number | null {
  const samples = useRef<ByteSample[]>([]);
  const [rate, setRate] = useState<number | null>(null);
  // Each snapshot is a new object: one reading per snapshot, at the time it arrived.
  useEffect(() => {
    samples.current = addSample(samples.current, { at: Date.now(), used: session.bytesUp + session.bytesDown });
    setRate(rateFromSamples(samples.current));
  }, [session]);
  return rate;
}
