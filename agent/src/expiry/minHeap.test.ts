import { MinHeap } from "./minHeap.ts";

it("pops keys in ascending order whatever the insertion order", () => {
  const heap = new MinHeap<number>();
  const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1009);
  for (const key of keys) heap.push(key, key);
  const popped: number[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) popped.push(item.key);
  expect(popped).toEqual([...keys].sort((a, b) => a - b));
  expect(heap.size).toBe(0);
});
