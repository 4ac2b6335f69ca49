import type { WireguardDriver } from "@wg402/wireguard";

/** pino's shape, so the agent's logger fits as is. */
export type DeviceLogger = {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
};

/** auto = kernel if available, else wireguard-go; adopt = use an existing interface as it is. */
export type DeviceMode = "auto" | "userspace" | "kernel" | "adopt";

export type DeviceOptions = {
  /** e.g. "wg402"; unique across namespaces, since wireguard-go sockets share /var/run/wireguard. */
  interfaceName: string;
  listenPort: number;
  /** The node's own tunnel address with prefix, e.g. "10.64.0.1/16". */
  address: string;
  /** Persisted x25519 private key; created on first start. Not read in adopt mode. */
  privateKeyFile: string;
  /** Put the interface in this existing network namespace. */
  netns?: string;
  mode: DeviceMode;
  logger: DeviceLogger;
  /** Delay before restarting a dead wireguard-go: doubles per failure up to max. */
  restartBackoffMs?: { initial: number; max: number };
};

export type DeviceKind = "userspace" | "kernel" | "adopted";

export type Device = {
  /** UapiDriver for wireguard-go and adopted userspace interfaces; WgCliDriver for kernel ones. */
  driver: WireguardDriver;
  publicKey: string;
  kind: DeviceKind;
  /** One human line, e.g. "wireguard-go wg402 in netns x, port 51820, 10.64.0.1/16". */
  describe: string;
  /**
   * Registers a listener called after the device was lost and recreated (wireguard-go died and was
   * restarted): all peers are gone and counters restarted, so the agent must re-apply every active peer.
   * Returns unsubscribe.
   */
  onRecreated(listener: () => void): () => void;
  /** Stops supervision, closes the driver, and tears down what setupDevice created (never an adopted interface). */
  stop(): Promise<void>;
};
