// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDepositCollector} from "./IDepositCollector.sol";
import {IX402BatchSettlement} from "./IX402BatchSettlement.sol";

/**
 * @title X402BatchSettlement
 * @notice wg402's implementation of the x402 `batch-settlement` escrow ({IX402BatchSettlement}): deposits through
 * pluggable collectors, cumulative payer-signed vouchers claimed in batches, one-transfer settlement per receiver
 * and token, cooperative refunds and the payer's timed withdrawal.
 *
 * @dev Written to run as runtime code placed at any address (the local chain puts it where the SDK looks, with
 * `hardhat_setCode`): it has no constructor, no immutables and no storage to initialise. The EIP-712 domain
 * separator is computed from `block.chainid` and `address(this)` on every call.
 *
 * Storage, per channel id: one slot for the escrow (`balance`, `totalClaimed`) and one for the rest (pending
 * withdrawal amount and start, refund nonce), so a refund reads its nonce and the pending withdrawal it may reduce
 * in one access. Per `(receiver, token)`: one slot of cumulative claimed and settled amounts. A claim batch credits
 * consecutive rows of the same receiver and token to that slot once.
 *
 * Reentrancy: every state-changing entry point is `nonReentrant` (EIP-1153 transient storage, so cancun or later);
 * {multicall} delegate-calls them, so the guard holds across its calls too. Fee-on-transfer tokens are refused at
 * deposit (the balance check); rebasing tokens are unsupported.
 */
contract X402BatchSettlement is IX402BatchSettlement, IERC5267, Multicall, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The shortest `withdrawDelay` a channel may have.
    uint40 public constant MIN_WITHDRAW_DELAY = 15 minutes;
    /// @notice The longest `withdrawDelay` a channel may have.
    uint40 public constant MAX_WITHDRAW_DELAY = 30 days;

    /// @inheritdoc IX402BatchSettlement
    bytes32 public constant override CHANNEL_CONFIG_TYPEHASH = keccak256(
        "ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)"
    );
    /// @notice The EIP-712 type hash of a voucher.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint128 maxClaimableAmount)");
    /// @notice The EIP-712 type hash of a signed refund.
    bytes32 public constant REFUND_TYPEHASH = keccak256("Refund(bytes32 channelId,uint256 nonce,uint128 amount)");
    /// @notice The EIP-712 type hash of one row of a signed claim batch.
    bytes32 public constant CLAIM_ENTRY_TYPEHASH =
        keccak256("ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)");
    /// @notice The EIP-712 type hash of a signed claim batch.
    bytes32 public constant CLAIM_BATCH_TYPEHASH = keccak256(
        "ClaimBatch(ClaimEntry[] claims)ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)"
    );

    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _NAME_HASH = keccak256("x402 Batch Settlement");
    bytes32 private constant _VERSION_HASH = keccak256("1");

    struct ChannelState {
        uint128 balance;
        uint128 totalClaimed;
    }

    /// @dev `withdrawInitiatedAt == 0` means no withdrawal is pending. 2^88 refunds will not happen.
    struct ChannelMeta {
        uint128 withdrawAmount;
        uint40 withdrawInitiatedAt;
        uint88 refundNonce;
    }

    struct ReceiverState {
        uint128 totalClaimed;
        uint128 totalSettled;
    }

    /// @dev Claimed amounts not yet added to a receiver's totals, for consecutive rows of one receiver and token.
    struct Credit {
        address receiver;
        address token;
        uint128 amount;
    }

    mapping(bytes32 channelId => ChannelState) private _channels;
    mapping(bytes32 channelId => ChannelMeta) private _meta;
    mapping(address receiver => mapping(address token => ReceiverState)) private _receivers;

    // ---------------------------------------------------------------------------------------------------------
    // Deposits
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IX402BatchSettlement
    function deposit(ChannelConfig calldata config, uint128 amount, address collector, bytes calldata collectorData)
        external
        nonReentrant
    {
        _deposit(config, _validatedChannelId(config), amount, collector, collectorData);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Claims and settlement
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IX402BatchSettlement
    function claim(VoucherClaim[] calldata voucherClaims) external nonReentrant {
        uint256 count = voucherClaims.length;
        require(count != 0, EmptyBatch());
        bytes32 domainSeparator = _domainSeparator();
        Credit memory credit;
        for (uint256 i = 0; i < count; ++i) {
            VoucherClaim calldata row = voucherClaims[i];
            ChannelConfig calldata config = row.voucher.channel;
            bytes32 channelId = _channelId(config, domainSeparator);
            require(
                msg.sender == config.receiver || msg.sender == config.receiverAuthorizer,
                NotAuthorizedToClaim(channelId, msg.sender)
            );
            _claimRow(row, channelId, domainSeparator, credit);
        }
        _creditReceiver(credit);
    }

    /// @inheritdoc IX402BatchSettlement
    function claimWithSignature(VoucherClaim[] calldata voucherClaims, bytes calldata authorizerSignature)
        external
        nonReentrant
    {
        uint256 count = voucherClaims.length;
        require(count != 0, EmptyBatch());
        bytes32 domainSeparator = _domainSeparator();
        (bytes32 digest, bytes32[] memory channelIds) = _claimBatchDigest(voucherClaims, domainSeparator);
        address authorizer = voucherClaims[0].voucher.channel.receiverAuthorizer;
        require(
            SignatureChecker.isValidSignatureNowCalldata(authorizer, digest, authorizerSignature),
            InvalidAuthorizerSignature(authorizer)
        );
        Credit memory credit;
        for (uint256 i = 0; i < count; ++i) {
            VoucherClaim calldata row = voucherClaims[i];
            address rowAuthorizer = row.voucher.channel.receiverAuthorizer;
            require(rowAuthorizer == authorizer, ReceiverAuthorizerMismatch(i, authorizer, rowAuthorizer));
            _claimRow(row, channelIds[i], domainSeparator, credit);
        }
        _creditReceiver(credit);
    }

    /// @inheritdoc IX402BatchSettlement
    function settle(address receiver, address token) external nonReentrant {
        _settle(receiver, token);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timed withdrawal (the payer's escape hatch)
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IX402BatchSettlement
    function initiateWithdraw(ChannelConfig calldata config, uint128 amount) external nonReentrant {
        bytes32 channelId = _channelId(config, _domainSeparator());
        _checkPayerSide(config, channelId);
        _initiateWithdraw(channelId, config.withdrawDelay, amount);
    }

    /// @inheritdoc IX402BatchSettlement
    function finalizeWithdraw(ChannelConfig calldata config) external nonReentrant {
        bytes32 channelId = _channelId(config, _domainSeparator());
        _checkPayerSide(config, channelId);
        _finalizeWithdraw(config, channelId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Cooperative refunds
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IX402BatchSettlement
    function refund(ChannelConfig calldata config, uint128 amount) external nonReentrant {
        bytes32 channelId = _channelId(config, _domainSeparator());
        require(
            msg.sender == config.receiver || msg.sender == config.receiverAuthorizer,
            NotAuthorizedToRefund(channelId, msg.sender)
        );
        _refund(config, channelId, amount);
    }

    /// @inheritdoc IX402BatchSettlement
    function refundWithSignature(
        ChannelConfig calldata config,
        uint128 amount,
        uint256 nonce,
        bytes calldata receiverAuthorizerSignature
    ) external nonReentrant {
        bytes32 domainSeparator = _domainSeparator();
        bytes32 channelId = _channelId(config, domainSeparator);
        uint256 expected = _meta[channelId].refundNonce;
        require(nonce == expected, InvalidRefundNonce(channelId, expected, nonce));
        bytes32 digest = _refundDigest(channelId, nonce, amount, domainSeparator);
        address authorizer = config.receiverAuthorizer;
        require(
            SignatureChecker.isValidSignatureNowCalldata(authorizer, digest, receiverAuthorizerSignature),
            InvalidRefundSignature(channelId, authorizer)
        );
        _refund(config, channelId, amount);
    }

    /// @inheritdoc IX402BatchSettlement
    function multicall(bytes[] calldata data)
        public
        override(IX402BatchSettlement, Multicall)
        returns (bytes[] memory results)
    {
        return super.multicall(data);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------

    /// @inheritdoc IX402BatchSettlement
    function getChannelId(ChannelConfig calldata config) external view returns (bytes32) {
        return _channelId(config, _domainSeparator());
    }

    /// @inheritdoc IX402BatchSettlement
    function getVoucherDigest(bytes32 channelId, uint128 maxClaimableAmount) external view returns (bytes32) {
        return _voucherDigest(channelId, maxClaimableAmount, _domainSeparator());
    }

    /// @inheritdoc IX402BatchSettlement
    function getRefundDigest(bytes32 channelId, uint256 nonce, uint128 amount) external view returns (bytes32) {
        return _refundDigest(channelId, nonce, amount, _domainSeparator());
    }

    /// @inheritdoc IX402BatchSettlement
    /// @dev Defined for an empty batch too (the hash of no entries), though {claimWithSignature} refuses one.
    function getClaimBatchDigest(VoucherClaim[] calldata voucherClaims) external view returns (bytes32) {
        (bytes32 digest,) = _claimBatchDigest(voucherClaims, _domainSeparator());
        return digest;
    }

    /// @inheritdoc IX402BatchSettlement
    function channels(bytes32 channelId) external view returns (uint128 balance, uint128 totalClaimed) {
        ChannelState memory state = _channels[channelId];
        return (state.balance, state.totalClaimed);
    }

    /// @inheritdoc IX402BatchSettlement
    function pendingWithdrawals(bytes32 channelId) external view returns (uint128 amount, uint40 initiatedAt) {
        ChannelMeta memory meta = _meta[channelId];
        return (meta.withdrawAmount, meta.withdrawInitiatedAt);
    }

    /// @inheritdoc IX402BatchSettlement
    function refundNonce(bytes32 channelId) external view returns (uint256) {
        return _meta[channelId].refundNonce;
    }

    /// @inheritdoc IX402BatchSettlement
    function receivers(address receiver, address token)
        external
        view
        returns (uint128 totalClaimed, uint128 totalSettled)
    {
        ReceiverState memory state = _receivers[receiver][token];
        return (state.totalClaimed, state.totalSettled);
    }

    /// @notice The EIP-712 domain separator, for this chain and this address.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", "x402 Batch Settlement", "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal: state changes
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Collects `amount` through `collector`, checks it arrived, then credits the channel.
    function _deposit(
        ChannelConfig calldata config,
        bytes32 channelId,
        uint128 amount,
        address collector,
        bytes calldata collectorData
    ) internal virtual {
        require(amount != 0, ZeroDeposit(channelId));
        require(collector.code.length != 0, InvalidCollector(collector));
        ChannelState memory state = _channels[channelId];
        require(amount <= type(uint128).max - state.balance, DepositOverflow(channelId, state.balance, amount));

        IERC20 token = IERC20(config.token);
        uint256 before = token.balanceOf(address(this));
        IDepositCollector(collector).collect(config.payer, address(token), amount, channelId, collectorData);
        uint256 current = token.balanceOf(address(this));
        require(
            current == before + amount, DepositCollectionFailed(channelId, amount, current > before ? current - before : 0)
        );

        uint128 newBalance = state.balance + amount;
        _channels[channelId].balance = newBalance;
        if (state.balance == 0 && state.totalClaimed == 0) emit ChannelCreated(channelId, config);
        emit Deposited(channelId, msg.sender, amount, newBalance);
    }

    /**
     * @dev Applies one claim row to channel `channelId` and adds its increase to `credit`. A row at or below the
     * channel's current total is a no-op; anything else must be within the ceiling and the balance, and carry the
     * payer side's voucher signature.
     */
    function _claimRow(VoucherClaim calldata row, bytes32 channelId, bytes32 domainSeparator, Credit memory credit)
        internal
        virtual
    {
        uint128 newTotal = row.totalClaimed;
        ChannelState memory state = _channels[channelId];
        if (newTotal <= state.totalClaimed) return;
        uint128 ceiling = row.voucher.maxClaimableAmount;
        require(newTotal <= ceiling, ClaimExceedsCeiling(channelId, newTotal, ceiling));
        require(newTotal <= state.balance, ClaimExceedsBalance(channelId, newTotal, state.balance));
        ChannelConfig calldata config = row.voucher.channel;
        _checkVoucherSignature(config, channelId, ceiling, row.signature, domainSeparator);

        uint128 increase = newTotal - state.totalClaimed;
        _channels[channelId].totalClaimed = newTotal;
        emit Claimed(channelId, msg.sender, increase, newTotal);
        _accrue(credit, config.receiver, config.token, increase);
    }

    /// @dev Adds `amount` for `(receiver, token)` to `credit`, first writing out what it held for another pair.
    function _accrue(Credit memory credit, address receiver, address token, uint128 amount) internal {
        if (credit.receiver != receiver || credit.token != token) {
            _creditReceiver(credit);
            credit.receiver = receiver;
            credit.token = token;
            credit.amount = amount;
        } else {
            credit.amount += amount;
        }
    }

    /// @dev Adds `credit.amount` to its receiver's claimed total for its token, and clears it.
    function _creditReceiver(Credit memory credit) internal {
        uint128 amount = credit.amount;
        if (amount == 0) return;
        _receivers[credit.receiver][credit.token].totalClaimed += amount;
        credit.amount = 0;
    }

    /// @dev Transfers `(receiver, token)`'s claimed-but-unsettled amount to `receiver`.
    function _settle(address receiver, address token) internal virtual {
        ReceiverState storage state = _receivers[receiver][token];
        uint128 totalClaimed = state.totalClaimed;
        uint128 amount = totalClaimed - state.totalSettled;
        if (amount == 0) return;
        state.totalSettled = totalClaimed;
        emit Settled(receiver, token, msg.sender, amount);
        IERC20(token).safeTransfer(receiver, amount);
    }

    /// @dev Records a withdrawal request of `amount`, which must not exceed the unclaimed escrow now.
    function _initiateWithdraw(bytes32 channelId, uint40 withdrawDelay, uint128 amount) internal virtual {
        require(amount != 0, ZeroWithdraw(channelId));
        ChannelMeta storage meta = _meta[channelId];
        uint40 pendingSince = meta.withdrawInitiatedAt;
        require(pendingSince == 0, WithdrawalAlreadyPending(channelId, pendingSince));
        ChannelState memory state = _channels[channelId];
        uint128 available = state.balance - state.totalClaimed;
        require(amount <= available, WithdrawAmountExceedsAvailable(channelId, amount, available));

        uint40 initiatedAt = SafeCast.toUint40(block.timestamp);
        meta.withdrawAmount = amount;
        meta.withdrawInitiatedAt = initiatedAt;
        emit WithdrawInitiated(channelId, amount, initiatedAt + withdrawDelay);
    }

    /// @dev Completes the pending withdrawal after its delay, capped to what is unclaimed at this moment.
    function _finalizeWithdraw(ChannelConfig calldata config, bytes32 channelId) internal virtual {
        ChannelMeta memory meta = _meta[channelId];
        require(meta.withdrawInitiatedAt != 0, WithdrawalNotPending(channelId));
        uint256 finalizeAfter = uint256(meta.withdrawInitiatedAt) + config.withdrawDelay;
        require(block.timestamp >= finalizeAfter, WithdrawDelayNotElapsed(channelId, finalizeAfter));
        ChannelState memory state = _channels[channelId];
        uint128 available = state.balance - state.totalClaimed;
        uint128 amount = meta.withdrawAmount < available ? meta.withdrawAmount : available;

        _meta[channelId] = ChannelMeta({withdrawAmount: 0, withdrawInitiatedAt: 0, refundNonce: meta.refundNonce});
        uint128 newBalance = state.balance - amount;
        _channels[channelId].balance = newBalance;
        emit WithdrawFinalized(channelId, msg.sender, amount);
        if (amount == 0) return;
        if (newBalance == 0 && state.totalClaimed == 0) emit ChannelClosed(channelId, config);
        IERC20(config.token).safeTransfer(config.payer, amount);
    }

    /**
     * @dev Advances the refund nonce, then returns up to `amount` of unclaimed escrow to the payer, reducing (or
     * cancelling) a pending withdrawal by what it returned.
     */
    function _refund(ChannelConfig calldata config, bytes32 channelId, uint128 amount) internal virtual {
        require(amount != 0, ZeroRefund(channelId));
        ChannelMeta memory meta = _meta[channelId];
        ++meta.refundNonce;
        ChannelState memory state = _channels[channelId];
        uint128 available = state.balance - state.totalClaimed;
        uint128 refunded = amount < available ? amount : available;
        if (refunded != 0 && meta.withdrawInitiatedAt != 0) {
            if (refunded >= meta.withdrawAmount) {
                meta.withdrawAmount = 0;
                meta.withdrawInitiatedAt = 0;
            } else {
                meta.withdrawAmount -= refunded;
            }
        }
        _meta[channelId] = meta;
        if (refunded == 0) return;

        uint128 newBalance = state.balance - refunded;
        _channels[channelId].balance = newBalance;
        emit Refunded(channelId, msg.sender, refunded);
        if (newBalance == 0 && state.totalClaimed == 0) emit ChannelClosed(channelId, config);
        IERC20(config.token).safeTransfer(config.payer, refunded);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internal: checks and hashes
    // ---------------------------------------------------------------------------------------------------------

    /// @dev Reverts unless the caller is the channel's payer or payer authorizer.
    function _checkPayerSide(ChannelConfig calldata config, bytes32 channelId) internal view {
        address payerAuthorizer = config.payerAuthorizer;
        require(
            msg.sender == config.payer || (payerAuthorizer != address(0) && msg.sender == payerAuthorizer),
            NotPayer(channelId, msg.sender)
        );
    }

    /// @dev Checks the voucher signature: ECDSA by `payerAuthorizer` when set, else ECDSA or ERC-1271 by `payer`.
    function _checkVoucherSignature(
        ChannelConfig calldata config,
        bytes32 channelId,
        uint128 maxClaimableAmount,
        bytes calldata signature,
        bytes32 domainSeparator
    ) internal view {
        bytes32 digest = _voucherDigest(channelId, maxClaimableAmount, domainSeparator);
        address signer = config.payerAuthorizer;
        bool valid;
        if (signer != address(0)) {
            (address recovered, ECDSA.RecoverError error,) = ECDSA.tryRecoverCalldata(digest, signature);
            valid = error == ECDSA.RecoverError.NoError && recovered == signer;
        } else {
            signer = config.payer;
            valid = SignatureChecker.isValidSignatureNowCalldata(signer, digest, signature);
        }
        require(valid, InvalidVoucherSignature(channelId, signer));
    }

    /// @dev The channel id of a config that a deposit may create: non-zero parties and token, delay in range.
    function _validatedChannelId(ChannelConfig calldata config) internal view returns (bytes32) {
        address payer = config.payer;
        address receiver = config.receiver;
        address receiverAuthorizer = config.receiverAuthorizer;
        address token = config.token;
        require(
            payer != address(0) && receiver != address(0) && receiverAuthorizer != address(0) && token != address(0),
            InvalidChannelConfig(payer, receiver, receiverAuthorizer, token)
        );
        uint40 withdrawDelay = config.withdrawDelay;
        require(
            withdrawDelay >= MIN_WITHDRAW_DELAY && withdrawDelay <= MAX_WITHDRAW_DELAY,
            WithdrawDelayOutOfRange(withdrawDelay, MIN_WITHDRAW_DELAY, MAX_WITHDRAW_DELAY)
        );
        return _channelId(config, _domainSeparator());
    }

    /// @dev The EIP-712 domain separator of "x402 Batch Settlement" v1 on this chain at this address.
    function _domainSeparator() internal view returns (bytes32) {
        return keccak256(abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, block.chainid, address(this)));
    }

    function _channelId(ChannelConfig calldata config, bytes32 domainSeparator) internal pure returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(CHANNEL_CONFIG_TYPEHASH, config)));
    }

    function _voucherDigest(bytes32 channelId, uint128 maxClaimableAmount, bytes32 domainSeparator)
        internal
        pure
        returns (bytes32)
    {
        return MessageHashUtils.toTypedDataHash(
            domainSeparator, keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, maxClaimableAmount))
        );
    }

    function _refundDigest(bytes32 channelId, uint256 nonce, uint128 amount, bytes32 domainSeparator)
        internal
        pure
        returns (bytes32)
    {
        return
            MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(REFUND_TYPEHASH, channelId, nonce, amount)));
    }

    /**
     * @dev The EIP-712 digest of `ClaimBatch(ClaimEntry[] claims)` over the rows, and each row's channel id (which
     * the caller reuses instead of hashing every config twice). An array of structs is encoded as the hash of its
     * elements' struct hashes, concatenated.
     */
    function _claimBatchDigest(VoucherClaim[] calldata voucherClaims, bytes32 domainSeparator)
        internal
        pure
        returns (bytes32 digest, bytes32[] memory channelIds)
    {
        uint256 count = voucherClaims.length;
        channelIds = new bytes32[](count);
        bytes32[] memory entryHashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            VoucherClaim calldata row = voucherClaims[i];
            bytes32 channelId = _channelId(row.voucher.channel, domainSeparator);
            channelIds[i] = channelId;
            entryHashes[i] = keccak256(
                abi.encode(CLAIM_ENTRY_TYPEHASH, channelId, row.voucher.maxClaimableAmount, row.totalClaimed)
            );
        }
        bytes32 entriesHash;
        assembly ("memory-safe") {
            entriesHash := keccak256(add(entryHashes, 0x20), mul(count, 0x20))
        }
        digest = MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(CLAIM_BATCH_TYPEHASH, entriesHash)));
    }
}
