// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/**
 * @title IX402BatchSettlement
 * @notice The on-chain interface of x402's `batch-settlement` scheme on EVM: stateless unidirectional payment
 * channels with cumulative vouchers, batched claims, one-transfer settlement, cooperative refunds and a timed
 * withdrawal that the payer can always run alone.
 *
 * Functions, events and struct layouts are those that the x402 EVM SDK (its `batchSettlementABI`) calls and decodes,
 * so the official SDK works against any implementation of this interface without modification.
 *
 * Money model, per channel: `balance` is what was deposited minus what went back to the payer (refunds and
 * withdrawals); `totalClaimed` is the part of it the receiver side has claimed (`totalClaimed <= balance`). The
 * unclaimed rest, `balance - totalClaimed`, is all a refund or a withdrawal can return. Claimed funds leave the
 * contract through {settle}, which is accounted per `(receiver, token)`.
 */
interface IX402BatchSettlement {
    /**
     * @notice The immutable parameters of a channel. Their EIP-712 hash under the "x402 Batch Settlement" domain
     * is the channel's id, so a channel is bound to one chain and one contract address.
     * @param payer whose tokens are deposited and to whom refunds and withdrawals go
     * @param payerAuthorizer the EOA that signs vouchers, or `address(0)` to verify vouchers against `payer`
     * (ECDSA or ERC-1271)
     * @param receiver where claimed funds are settled
     * @param receiverAuthorizer signs claim batches and refunds (ECDSA or ERC-1271); never zero
     * @param token the ERC-20 held in escrow
     * @param withdrawDelay seconds between {initiateWithdraw} and {finalizeWithdraw}, within
     * [`MIN_WITHDRAW_DELAY`, `MAX_WITHDRAW_DELAY`]
     * @param salt tells apart channels whose other parameters are equal
     */
    struct ChannelConfig {
        address payer;
        address payerAuthorizer;
        address receiver;
        address receiverAuthorizer;
        address token;
        uint40 withdrawDelay;
        bytes32 salt;
    }

    /// @notice What the payer signs: a cumulative ceiling for one channel (the signature is beside it, in {VoucherClaim}).
    struct Voucher {
        ChannelConfig channel;
        uint128 maxClaimableAmount;
    }

    /// @notice One claim row: a signed voucher and the cumulative total the receiver side claims under it.
    struct VoucherClaim {
        Voucher voucher;
        bytes signature;
        uint128 totalClaimed;
    }

    /// @dev Emitted when an empty channel (no balance, nothing ever claimed) receives its first deposit. It fires
    /// again for the same id if the channel is drained to zero and funded once more.
    event ChannelCreated(bytes32 indexed channelId, ChannelConfig config);

    /// @dev Emitted when a refund or a withdrawal takes a channel that never had a claim back to zero balance.
    event ChannelClosed(bytes32 indexed channelId, ChannelConfig config);

    /// @dev Emitted after `amount` was collected into the channel; `newBalance` is the channel's balance after it.
    event Deposited(bytes32 indexed channelId, address indexed sender, uint128 amount, uint128 newBalance);

    /// @dev Emitted when a claim raises the channel's `totalClaimed` by `claimAmount` to `newTotalClaimed`.
    event Claimed(bytes32 indexed channelId, address indexed sender, uint128 claimAmount, uint128 newTotalClaimed);

    /// @dev Emitted when `amount` of claimed `token` is transferred to `receiver`.
    event Settled(address indexed receiver, address indexed token, address indexed sender, uint128 amount);

    /// @dev Emitted when `amount` of unclaimed escrow is returned to the payer cooperatively.
    event Refunded(bytes32 indexed channelId, address indexed sender, uint128 amount);

    /// @dev Emitted when the payer side asks for `amount` back; it can be finalized from `finalizeAfter` on.
    event WithdrawInitiated(bytes32 indexed channelId, uint128 amount, uint40 finalizeAfter);

    /// @dev Emitted when a timed withdrawal completes and `amount` (possibly less than asked) goes to the payer.
    event WithdrawFinalized(bytes32 indexed channelId, address indexed sender, uint128 amount);

    /// @dev A channel's `payer`, `receiver`, `receiverAuthorizer` or `token` is the zero address.
    error InvalidChannelConfig(address payer, address receiver, address receiverAuthorizer, address token);

    /// @dev `withdrawDelay` lies outside [`min`, `max`].
    error WithdrawDelayOutOfRange(uint40 withdrawDelay, uint40 min, uint40 max);

    /// @dev A deposit of zero.
    error ZeroDeposit(bytes32 channelId);

    /// @dev The collector is the zero address or has no code.
    error InvalidCollector(address collector);

    /// @dev The deposit would take the channel's balance past `type(uint128).max`.
    error DepositOverflow(bytes32 channelId, uint128 balance, uint128 amount);

    /// @dev The collector call returned, but this contract's token balance grew by `received` instead of `expected`.
    error DepositCollectionFailed(bytes32 channelId, uint256 expected, uint256 received);

    /// @dev A claim batch with no rows.
    error EmptyBatch();

    /// @dev `sender` is neither the `receiver` nor the `receiverAuthorizer` of the channel it claims for.
    error NotAuthorizedToClaim(bytes32 channelId, address sender);

    /// @dev Row `index` of a signed claim batch has another `receiverAuthorizer` than row 0.
    error ReceiverAuthorizerMismatch(uint256 index, address expected, address actual);

    /// @dev The claim batch signature is not `receiverAuthorizer`'s.
    error InvalidAuthorizerSignature(address receiverAuthorizer);

    /// @dev The voucher signature is not `expectedSigner`'s (the `payerAuthorizer`, or the `payer` when that is zero).
    error InvalidVoucherSignature(bytes32 channelId, address expectedSigner);

    /// @dev The claimed cumulative total is above the voucher's signed ceiling.
    error ClaimExceedsCeiling(bytes32 channelId, uint128 totalClaimed, uint128 maxClaimableAmount);

    /// @dev The claimed cumulative total is above the channel's balance.
    error ClaimExceedsBalance(bytes32 channelId, uint128 totalClaimed, uint128 balance);

    /// @dev `sender` is neither the `receiver` nor the `receiverAuthorizer` of the channel it refunds.
    error NotAuthorizedToRefund(bytes32 channelId, address sender);

    /// @dev A signed refund for nonce `provided` while the channel expects `expected`.
    error InvalidRefundNonce(bytes32 channelId, uint256 expected, uint256 provided);

    /// @dev The refund signature is not `receiverAuthorizer`'s.
    error InvalidRefundSignature(bytes32 channelId, address receiverAuthorizer);

    /// @dev A refund of zero.
    error ZeroRefund(bytes32 channelId);

    /// @dev `sender` is neither the `payer` nor the `payerAuthorizer` of the channel.
    error NotPayer(bytes32 channelId, address sender);

    /// @dev A withdrawal of zero.
    error ZeroWithdraw(bytes32 channelId);

    /// @dev A withdrawal initiated at `initiatedAt` is still pending.
    error WithdrawalAlreadyPending(bytes32 channelId, uint40 initiatedAt);

    /// @dev No withdrawal is pending on the channel.
    error WithdrawalNotPending(bytes32 channelId);

    /// @dev The pending withdrawal cannot be finalized before `finalizeAfter`.
    error WithdrawDelayNotElapsed(bytes32 channelId, uint256 finalizeAfter);

    /// @dev A withdrawal of `amount` while only `available` is unclaimed.
    error WithdrawAmountExceedsAvailable(bytes32 channelId, uint128 amount, uint128 available);

    /**
     * @notice Collects exactly `amount` of `config.token` from `config.payer` into the channel through `collector`
     * (which receives `config.payer`, the token, the amount, the channel id and `collectorData`).
     * @dev Validates `config` (non-zero parties and token, `withdrawDelay` in range). Reverts unless this
     * contract's token balance grew by exactly `amount` during the collector call.
     */
    function deposit(ChannelConfig calldata config, uint128 amount, address collector, bytes calldata collectorData)
        external;

    /**
     * @notice Applies claim rows, each raising its channel's `totalClaimed` to the row's cumulative total. The
     * caller must be the `receiver` or the `receiverAuthorizer` of every row's channel. No tokens move.
     * @dev A row whose total does not exceed the channel's current `totalClaimed` is skipped, so an old or replayed
     * row is a no-op. Otherwise the total must be within the voucher's ceiling and the channel's balance, and the
     * voucher signature must be the payer side's.
     */
    function claim(VoucherClaim[] calldata voucherClaims) external;

    /**
     * @notice Like {claim}, submitted by anyone, with the rows authorized by one EIP-712 `ClaimBatch` signature of
     * their common `receiverAuthorizer` (see {getClaimBatchDigest}).
     */
    function claimWithSignature(VoucherClaim[] calldata voucherClaims, bytes calldata authorizerSignature) external;

    /// @notice Transfers everything claimed but not yet settled for `(receiver, token)` to `receiver`, in one transfer.
    /// Anyone may call it; nothing happens when there is nothing to settle.
    function settle(address receiver, address token) external;

    /**
     * @notice Starts the payer's timed withdrawal of `amount`, at most the channel's unclaimed escrow now. Only the
     * `payer` or the `payerAuthorizer`; one pending withdrawal per channel.
     */
    function initiateWithdraw(ChannelConfig calldata config, uint128 amount) external;

    /**
     * @notice Completes the pending withdrawal once `withdrawDelay` has passed since it started, sending the payer
     * the requested amount capped to what is still unclaimed. Only the `payer` or the `payerAuthorizer`.
     */
    function finalizeWithdraw(ChannelConfig calldata config) external;

    /**
     * @notice Returns up to `amount` of unclaimed escrow to the payer at once. Only the `receiver` or the
     * `receiverAuthorizer`.
     * @dev Advances the channel's refund nonce first, even when nothing is left to return, so a direct refund
     * invalidates any pre-signed {refundWithSignature} for the previous nonce. A pending withdrawal is reduced by
     * the refunded amount, and cancelled when the refund covers it.
     */
    function refund(ChannelConfig calldata config, uint128 amount) external;

    /**
     * @notice {refund}, submitted by anyone, authorized by the `receiverAuthorizer`'s EIP-712 `Refund` signature for
     * the channel's current refund `nonce` and this exact `amount` (see {getRefundDigest}).
     */
    function refundWithSignature(
        ChannelConfig calldata config,
        uint128 amount,
        uint256 nonce,
        bytes calldata receiverAuthorizerSignature
    ) external;

    /// @notice Runs several calls to this contract in one transaction (each as if called directly, same sender).
    function multicall(bytes[] calldata data) external returns (bytes[] memory results);

    /// @notice The channel id of `config`: its EIP-712 typed-data hash under this contract's domain.
    function getChannelId(ChannelConfig calldata config) external view returns (bytes32);

    /// @notice The EIP-712 digest a payer side signs for a voucher.
    function getVoucherDigest(bytes32 channelId, uint128 maxClaimableAmount) external view returns (bytes32);

    /// @notice The EIP-712 digest a receiver authorizer signs for a refund.
    function getRefundDigest(bytes32 channelId, uint256 nonce, uint128 amount) external view returns (bytes32);

    /// @notice The EIP-712 digest a receiver authorizer signs for a claim batch.
    function getClaimBatchDigest(VoucherClaim[] calldata voucherClaims) external view returns (bytes32);

    /// @notice The channel's escrow: deposited minus returned (`balance`), and the claimed part of it.
    function channels(bytes32 channelId) external view returns (uint128 balance, uint128 totalClaimed);

    /// @notice The channel's pending withdrawal, if any (`initiatedAt == 0` when none).
    function pendingWithdrawals(bytes32 channelId) external view returns (uint128 amount, uint40 initiatedAt);

    /// @notice The nonce the next {refundWithSignature} on the channel must carry.
    function refundNonce(bytes32 channelId) external view returns (uint256);

    /// @notice Cumulative claimed and settled amounts of `token` for `receiver`.
    function receivers(address receiver, address token)
        external
        view
        returns (uint128 totalClaimed, uint128 totalSettled);

    /// @notice The EIP-712 type hash of {ChannelConfig}.
    function CHANNEL_CONFIG_TYPEHASH() external view returns (bytes32);
}
