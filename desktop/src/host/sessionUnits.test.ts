import { sessionUnits } from "./sessionUnits.ts";

const settings = { plan: "time", minutes: 10, megabytes: 50, autoRenew: true, renewMinutes: 5 } as const;

describe("sessionUnits", () => {
  it("takes minutes alone as a time lease, as commands from before data leases send them", () => {
    expect(sessionUnits({ minutes: 3 }, { ...settings, plan: "data" })).toEqual({
      minutes: 3,
      megabytes: 0,
      renewMinutes: 5,
      renewMegabytes: 0,
    });
  });

  it("takes megabytes alone as a data lease: no minutes bought or renewed, each data renewal as many MB", () => {
    expect(sessionUnits({ megabytes: 5 }, settings)).toEqual({
      minutes: 0,
      megabytes: 5,
      renewMinutes: 0,
      renewMegabytes: 5,
    });
  });

  it("takes both as a hybrid lease", () => {
    expect(sessionUnits({ minutes: 2, megabytes: 20 }, settings)).toMatchObject({ minutes: 2, megabytes: 20 });
  });

  it("falls back to the settings' plan when the command names no unit (resume)", () => {
    expect(sessionUnits({}, settings)).toMatchObject({ minutes: 10, megabytes: 0 });
    expect(sessionUnits({}, { ...settings, plan: "data" })).toMatchObject({ minutes: 0, megabytes: 50 });
    expect(sessionUnits({}, { ...settings, plan: "hybrid" })).toMatchObject({ minutes: 10, megabytes: 50 });
  });

  it("renews time by the purchase itself when auto-renew is off, as before", () => {
    expect(sessionUnits({ minutes: 3 }, { ...settings, autoRenew: false }).renewMinutes).toBe(3);
  });
});
