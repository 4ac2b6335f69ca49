// What a UI is told about the receipts the client core keeps (WG402_HOME/receipts.jsonl): History's badge for
// each session, and the receipts themselves, exported as JSON evidence. Plain JSON like every other view.

/**
 * verified: the node's final usage receipt is signed by its advertised signer and its bytes are within
 * tolerance of this device's counters (or there were none to hold it against: the export driver);
 * bytes_mismatch: signed, but the bytes disagree; signature_invalid: the signature does not verify, is not the
 * advertised signer's, or no signer was advertised; none: the node sent no signed usage receipt;
 * unreadable: the receipt file is damaged (History still lists the sessions).
 */
export type ReceiptBadgeStatus = "verified" | "bytes_mismatch" | "signature_invalid" | "none" | "unreadable";

/** One direction's bytes: the node's signed figure, this device's own, and how far apart they may be. */
export type ReceiptBytesView = { node: number; client: number; allowed: number; ok: boolean };

export type ReceiptBadgeView = {
  status: ReceiptBadgeStatus;
  /** One sentence from the core: who signed, and what of the bytes held or did not. */
  detail: string;
  /** The address that signed the usage receipt, as its signature was checked again now. */
  signer: string | null;
  /** null: not compared (no receipt, or no counters of this device's own). */
  bytes: { up: ReceiptBytesView; down: ReceiptBytesView } | null;
  /** How many receipts (payment and usage) are kept for this lease. */
  kept: number;
};

/** The kept receipts as a JSON file (all, or one lease's), each with its signature checked again. */
export type ReceiptsExportView = { fileName: string; json: string; count: number; leaseId: string | null };
