// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {X402TestUSD} from "../../contracts/X402TestUSD.sol";
import {ERC3009DepositCollector} from "../../contracts/escrow/ERC3009DepositCollector.sol";
import {IX402BatchSettlement} from "../../contracts/escrow/IX402BatchSettlement.sol";
import {X402BatchSettlement} from "../../contracts/escrow/X402BatchSettlement.sol";
import {PullCollector} from "../../contracts/mocks/MockDepositCollectors.sol";
import {WithVm} from "./TestVm.sol";

/**
 * @notice The fuzzer's hands: random sequences of deposits (real EIP-3009 signatures through the collector), voucher
 * signing, claims (direct and relayed, single and batched), settlements, refunds (direct and signed), timed
 * withdrawals and time travel, over four channels (two payers, one with a payer authorizer and one signing itself,
 * times two receivers). Alongside the legitimate moves it tries the attacks: claims beyond the voucher, vouchers by
 * the wrong key, replayed refund signatures, finalizing before the delay. It keeps a model of what every balance
 * must be; a step whose outcome differs from the model (a legitimate move refused, an attack accepted, a payment
 * of the wrong size) is counted in `unexpected`, which an invariant keeps at zero.
 */
contract EscrowHandler is WithVm {
    uint256 internal constant CHANNELS = 4;
    uint256 internal constant INITIAL_FUNDS = 1e15;
    bytes32 internal constant RECEIVE_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    X402BatchSettlement public immutable escrow;
    ERC3009DepositCollector public immutable collector;
    X402TestUSD public immutable token;

    uint256[2] internal _payerKeys = [uint256(0xA11CE), uint256(0xB0B)];
    uint256 internal constant PAYER_AUTHORIZER_KEY = 0xA11CE0A;
    uint256[2] internal _receiverAuthorizerKeys = [uint256(0xC0FFEE), uint256(0xD00D)];
    address[2] public payers;
    address[2] public receivers;
    address[2] public receiverAuthorizers;

    IX402BatchSettlement.ChannelConfig[CHANNELS] internal _configs;
    bytes32[CHANNELS] public channelIds;

    // The model.
    uint256 public deposited;
    uint256 public withdrawn;
    uint256 public refunded;
    uint256 public settled;
    mapping(bytes32 channelId => uint256) public modelBalance;
    mapping(bytes32 channelId => uint128) public highestCeiling;
    mapping(bytes32 channelId => bytes) internal _latestVoucher;
    mapping(bytes32 channelId => uint256) public modelRefundNonce;
    mapping(bytes32 channelId => uint128) public modelWithdrawAmount;
    mapping(bytes32 channelId => uint40) public modelWithdrawSince;
    mapping(address account => uint256) public modelSettledTo;
    mapping(address payer => uint256) public payerIn;
    mapping(address payer => uint256) public payerOut;

    uint256 public unexpected;
    string public firstUnexpected;
    uint256 public steps;
    uint256 internal _salt;

    // The last signed refund, to replay.
    uint256 internal _lastRefundChannel;
    uint128 internal _lastRefundAmount;
    uint256 internal _lastRefundNonce;
    bytes internal _lastRefundSignature;

    constructor() {
        escrow = new X402BatchSettlement();
        collector = new ERC3009DepositCollector(address(escrow));
        token = new X402TestUSD(address(this), 0, 0, 0);
        for (uint256 i = 0; i < 2; ++i) {
            payers[i] = vm.addr(_payerKeys[i]);
            receiverAuthorizers[i] = vm.addr(_receiverAuthorizerKeys[i]);
            receivers[i] = address(uint160(0x5EC0 + i));
            token.mint(payers[i], INITIAL_FUNDS);
        }
        for (uint256 i = 0; i < CHANNELS; ++i) {
            uint256 p = i % 2;
            uint256 r = i / 2;
            _configs[i] = IX402BatchSettlement.ChannelConfig({
                payer: payers[p],
                payerAuthorizer: p == 0 ? vm.addr(PAYER_AUTHORIZER_KEY) : address(0),
                receiver: receivers[r],
                receiverAuthorizer: receiverAuthorizers[r],
                token: address(token),
                withdrawDelay: uint40(900 + 2700 * r),
                salt: bytes32(i)
            });
            channelIds[i] = escrow.getChannelId(_configs[i]);
        }
    }

    function config(uint256 index) external view returns (IX402BatchSettlement.ChannelConfig memory) {
        return _configs[index];
    }

    // -----------------------------------------------------------------------------------------------------
    // Legitimate moves
    // -----------------------------------------------------------------------------------------------------

    function deposit(uint256 channelSeed, uint256 amountSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        IX402BatchSettlement.ChannelConfig memory c = _configs[i];
        uint256 amount = _bound(amountSeed, 1, 1e9);
        uint256 salt = ++_salt;
        uint256 validBefore = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                RECEIVE_TYPEHASH,
                c.payer,
                address(collector),
                amount,
                0,
                validBefore,
                collector.depositNonce(channelIds[i], salt)
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        bytes memory data = abi.encode(0, validBefore, salt, _signature(_payerKeys[i % 2], digest));
        try escrow.deposit(c, uint128(amount), address(collector), data) {
            deposited += amount;
            modelBalance[channelIds[i]] += amount;
            payerOut[c.payer] += amount;
        } catch {
            _unexpected("deposit refused");
        }
    }

    /// @notice The payer side signs a new cumulative voucher, above the last one.
    function signVoucher(uint256 channelSeed, uint256 increaseSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        bytes32 id = channelIds[i];
        uint128 ceiling = highestCeiling[id] + uint128(_bound(increaseSeed, 1, 2e8));
        highestCeiling[id] = ceiling;
        _latestVoucher[id] = _signature(_voucherKey(i), escrow.getVoucherDigest(id, ceiling));
    }

    function claim(uint256 channelSeed, uint256 targetSeed, bool relayed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        (bool ok, uint128 target) = _claimTarget(i, targetSeed);
        if (!ok) return;
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = _row(i, highestCeiling[channelIds[i]], _latestVoucher[channelIds[i]], target);
        if (!_submitClaim(rows, i / 2, relayed)) _unexpected("claim refused");
    }

    /// @notice One batch over both payers' channels of one receiver.
    function claimBatch(uint256 receiverSeed, uint256 targetSeedA, uint256 targetSeedB, bool relayed) external {
        ++steps;
        uint256 r = receiverSeed % 2;
        (bool okA, uint128 targetA) = _claimTarget(2 * r, targetSeedA);
        (bool okB, uint128 targetB) = _claimTarget(2 * r + 1, targetSeedB);
        if (!okA || !okB) return;
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](2);
        rows[0] = _row(2 * r, highestCeiling[channelIds[2 * r]], _latestVoucher[channelIds[2 * r]], targetA);
        rows[1] = _row(2 * r + 1, highestCeiling[channelIds[2 * r + 1]], _latestVoucher[channelIds[2 * r + 1]], targetB);
        if (!_submitClaim(rows, r, relayed)) _unexpected("batch claim refused");
    }

    function settle(uint256 receiverSeed) external {
        ++steps;
        address receiver = receivers[receiverSeed % 2];
        (uint128 totalClaimed, uint128 totalSettled) = escrow.receivers(receiver, address(token));
        uint256 due = totalClaimed - totalSettled;
        uint256 before = token.balanceOf(receiver);
        try escrow.settle(receiver, address(token)) {
            if (token.balanceOf(receiver) - before != due) _unexpected("settle paid the wrong amount");
            settled += due;
            modelSettledTo[receiver] += due;
        } catch {
            _unexpected("settle refused");
        }
    }

    function refund(uint256 channelSeed, uint256 amountSeed, bool signed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        IX402BatchSettlement.ChannelConfig memory c = _configs[i];
        bytes32 id = channelIds[i];
        uint128 amount = uint128(_bound(amountSeed, 1, 2e9));
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        uint128 available = balance - totalClaimed;
        uint128 expected = amount < available ? amount : available;
        uint256 before = token.balanceOf(c.payer);
        bool success;
        if (signed) {
            uint256 nonce = escrow.refundNonce(id);
            bytes memory signature = _signature(_receiverAuthorizerKeys[i / 2], escrow.getRefundDigest(id, nonce, amount));
            try escrow.refundWithSignature(c, amount, nonce, signature) {
                success = true;
                (_lastRefundChannel, _lastRefundAmount, _lastRefundNonce, _lastRefundSignature) =
                    (i, amount, nonce, signature);
            } catch {}
        } else {
            vm.prank(c.receiver);
            try escrow.refund(c, amount) {
                success = true;
            } catch {}
        }
        if (!success) return _unexpected("refund refused");
        if (token.balanceOf(c.payer) - before != expected) _unexpected("refund paid the wrong amount");
        ++modelRefundNonce[id];
        refunded += expected;
        modelBalance[id] -= expected;
        payerIn[c.payer] += expected;
        if (expected != 0 && modelWithdrawSince[id] != 0) {
            if (expected >= modelWithdrawAmount[id]) {
                modelWithdrawAmount[id] = 0;
                modelWithdrawSince[id] = 0;
            } else {
                modelWithdrawAmount[id] -= expected;
            }
        }
    }

    function initiateWithdraw(uint256 channelSeed, uint256 amountSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        IX402BatchSettlement.ChannelConfig memory c = _configs[i];
        bytes32 id = channelIds[i];
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        uint128 available = balance - totalClaimed;
        if (available == 0) return;
        uint128 amount = uint128(_bound(amountSeed, 1, available));
        bool pending = modelWithdrawSince[id] != 0;
        vm.prank(c.payer);
        try escrow.initiateWithdraw(c, amount) {
            if (pending) return _unexpected("second withdrawal accepted");
            modelWithdrawAmount[id] = amount;
            modelWithdrawSince[id] = uint40(block.timestamp);
        } catch {
            if (!pending) _unexpected("withdrawal refused");
        }
    }

    function finalizeWithdraw(uint256 channelSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        IX402BatchSettlement.ChannelConfig memory c = _configs[i];
        bytes32 id = channelIds[i];
        if (modelWithdrawSince[id] == 0) return;
        bool early = block.timestamp < uint256(modelWithdrawSince[id]) + c.withdrawDelay;
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        uint128 available = balance - totalClaimed;
        uint128 expected = modelWithdrawAmount[id] < available ? modelWithdrawAmount[id] : available;
        uint256 before = token.balanceOf(c.payer);
        vm.prank(c.payer);
        try escrow.finalizeWithdraw(c) {
            if (early) return _unexpected("withdrawal finalized before its delay");
            if (token.balanceOf(c.payer) - before != expected) _unexpected("withdrawal paid the wrong amount");
            withdrawn += expected;
            modelBalance[id] -= expected;
            payerIn[c.payer] += expected;
            modelWithdrawAmount[id] = 0;
            modelWithdrawSince[id] = 0;
        } catch {
            if (!early) _unexpected("due withdrawal refused");
        }
    }

    function warp(uint256 secondsSeed) external {
        ++steps;
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 2 hours));
    }

    // -----------------------------------------------------------------------------------------------------
    // Attacks: each must be refused and change nothing
    // -----------------------------------------------------------------------------------------------------

    /// @notice A claim beyond the voucher's ceiling, by the receiver authorizer itself.
    function overClaim(uint256 channelSeed, uint256 excessSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        bytes32 id = channelIds[i];
        uint128 ceiling = highestCeiling[id];
        if (ceiling == 0) return;
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = _row(i, ceiling, _latestVoucher[id], ceiling + uint128(_bound(excessSeed, 1, 1e9)));
        if (_submitClaim(rows, i / 2, excessSeed % 2 == 0)) _unexpected("over-claim accepted");
    }

    /// @notice A voucher signed by the receiver authorizer's key instead of the payer side's.
    function forgedVoucher(uint256 channelSeed, uint256 amountSeed) external {
        ++steps;
        uint256 i = channelSeed % CHANNELS;
        bytes32 id = channelIds[i];
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        if (balance <= totalClaimed) return;
        uint128 target = uint128(_bound(amountSeed, totalClaimed + 1, balance));
        bytes memory forged = _signature(_receiverAuthorizerKeys[i / 2], escrow.getVoucherDigest(id, target));
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = _row(i, target, forged, target);
        if (_submitClaim(rows, i / 2, amountSeed % 2 == 0)) _unexpected("forged voucher accepted");
    }

    /// @notice The last signed refund, submitted again.
    function replayRefund() external {
        ++steps;
        if (_lastRefundSignature.length == 0) return;
        try escrow.refundWithSignature(
            _configs[_lastRefundChannel], _lastRefundAmount, _lastRefundNonce, _lastRefundSignature
        ) {
            _unexpected("replayed refund accepted");
        } catch {}
    }

    // -----------------------------------------------------------------------------------------------------

    function _claimTarget(uint256 i, uint256 seed) internal view returns (bool, uint128) {
        bytes32 id = channelIds[i];
        uint128 ceiling = highestCeiling[id];
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        uint128 limit = ceiling < balance ? ceiling : balance;
        if (limit <= totalClaimed) return (false, 0);
        return (true, uint128(_bound(seed, totalClaimed + 1, limit)));
    }

    function _row(uint256 i, uint128 ceiling, bytes memory signature, uint128 totalClaimed)
        internal
        view
        returns (IX402BatchSettlement.VoucherClaim memory)
    {
        return IX402BatchSettlement.VoucherClaim({
            voucher: IX402BatchSettlement.Voucher({channel: _configs[i], maxClaimableAmount: ceiling}),
            signature: signature,
            totalClaimed: totalClaimed
        });
    }

    function _submitClaim(IX402BatchSettlement.VoucherClaim[] memory rows, uint256 r, bool relayed)
        internal
        returns (bool)
    {
        if (relayed) {
            bytes memory signature = _signature(_receiverAuthorizerKeys[r], escrow.getClaimBatchDigest(rows));
            try escrow.claimWithSignature(rows, signature) {
                return true;
            } catch {
                return false;
            }
        }
        vm.prank(receiverAuthorizers[r]);
        try escrow.claim(rows) {
            return true;
        } catch {
            return false;
        }
    }

    function _voucherKey(uint256 i) internal view returns (uint256) {
        return i % 2 == 0 ? PAYER_AUTHORIZER_KEY : _payerKeys[1];
    }

    function _unexpected(string memory what) internal {
        if (unexpected == 0) firstUnexpected = what;
        ++unexpected;
    }
}

/**
 * @notice Invariants of the escrow's accounting under random operation sequences (Hardhat 3's Solidity test runner,
 * forge-style `invariant_` functions; runs and depth in hardhat.config.ts).
 */
contract X402BatchSettlementInvariantTest is WithVm {
    EscrowHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new EscrowHandler();
    }

    /// @dev The fuzzer calls only the handler's state-changing functions.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The escrow holds exactly deposits − withdrawals − refunds − settled claims.
    function invariant_escrowHoldsExactlyWhatTheModelSays() public view {
        uint256 held = handler.token().balanceOf(address(handler.escrow()));
        require(
            held == handler.deposited() - handler.withdrawn() - handler.refunded() - handler.settled(),
            "escrow balance != deposits - withdrawals - refunds - settled"
        );
    }

    /// @notice Per channel: the balance is the model's, and totalClaimed never exceeds it nor any signed ceiling.
    function invariant_channelsStayWithinTheirVouchers() public view {
        X402BatchSettlement escrow = handler.escrow();
        for (uint256 i = 0; i < 4; ++i) {
            bytes32 id = handler.channelIds(i);
            (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
            require(balance == handler.modelBalance(id), "channel balance != model");
            require(totalClaimed <= balance, "totalClaimed > balance");
            require(totalClaimed <= handler.highestCeiling(id), "totalClaimed > the highest voucher ceiling");
            require(escrow.refundNonce(id) == handler.modelRefundNonce(id), "refund nonce != refunds run");
            (uint128 amount, uint40 initiatedAt) = escrow.pendingWithdrawals(id);
            require(amount == handler.modelWithdrawAmount(id), "pending withdrawal amount != model");
            require(initiatedAt == handler.modelWithdrawSince(id), "pending withdrawal start != model");
        }
    }

    /// @notice Per receiver: claimed = the sum of its channels' claims; settled = what it was paid, never more.
    function invariant_receiversAreOwedTheirClaims() public view {
        X402BatchSettlement escrow = handler.escrow();
        address token = address(handler.token());
        for (uint256 r = 0; r < 2; ++r) {
            address receiver = handler.receivers(r);
            (, uint128 a) = escrow.channels(handler.channelIds(2 * r));
            (, uint128 b) = escrow.channels(handler.channelIds(2 * r + 1));
            (uint128 totalClaimed, uint128 totalSettled) = escrow.receivers(receiver, token);
            require(totalClaimed == uint256(a) + b, "receiver claimed != sum of its channels");
            require(totalSettled <= totalClaimed, "settled more than claimed");
            require(totalSettled == handler.modelSettledTo(receiver), "settled != model");
            require(handler.token().balanceOf(receiver) == totalSettled, "receiver paid != settled");
        }
    }

    /// @notice Payers get back exactly their refunds and withdrawals; nothing else moves their tokens.
    function invariant_payersAreWhole() public view {
        for (uint256 p = 0; p < 2; ++p) {
            address payer = handler.payers(p);
            require(
                handler.token().balanceOf(payer) == 1e15 - handler.payerOut(payer) + handler.payerIn(payer),
                "payer balance != initial - deposits + refunds + withdrawals"
            );
        }
    }

    /// @notice Every legitimate move did what the model expected, and every attack was refused.
    function invariant_noUnexpectedOutcome() public view {
        require(handler.unexpected() == 0, handler.firstUnexpected());
    }
}

/// @notice Stateless properties of single operations over random amounts (Hardhat's fuzzer, `fuzz.runs` runs each).
contract X402BatchSettlementFuzzTest is WithVm {
    uint256 internal constant PAYER_KEY = 0xF0221;
    uint256 internal constant RECEIVER_AUTHORIZER_KEY = 0xF0222;

    X402BatchSettlement internal escrow;
    X402TestUSD internal token;
    PullCollector internal pull;
    IX402BatchSettlement.ChannelConfig internal c;
    bytes32 internal id;

    function setUp() public {
        escrow = new X402BatchSettlement();
        token = new X402TestUSD(address(this), 0, 0, 0);
        pull = new PullCollector();
        token.mint(address(this), type(uint128).max);
        token.approve(address(pull), type(uint256).max);
        c = IX402BatchSettlement.ChannelConfig({
            payer: address(this),
            payerAuthorizer: vm.addr(PAYER_KEY),
            receiver: address(0x5EC0),
            receiverAuthorizer: vm.addr(RECEIVER_AUTHORIZER_KEY),
            token: address(token),
            withdrawDelay: 900,
            salt: 0
        });
        id = escrow.getChannelId(c);
    }

    /// @notice A claim succeeds exactly when it is within both the voucher's ceiling and the balance.
    function testFuzz_claimSucceedsIffWithinCeilingAndBalance(uint64 deposited, uint64 ceiling, uint64 claimed) public {
        vm.assume(deposited > 0 && claimed > 0);
        escrow.deposit(c, deposited, address(pull), "");
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = IX402BatchSettlement.VoucherClaim({
            voucher: IX402BatchSettlement.Voucher({channel: c, maxClaimableAmount: ceiling}),
            signature: _signature(PAYER_KEY, escrow.getVoucherDigest(id, ceiling)),
            totalClaimed: claimed
        });
        vm.prank(c.receiverAuthorizer);
        bool succeeded;
        try escrow.claim(rows) {
            succeeded = true;
        } catch {}
        require(succeeded == (claimed <= ceiling && claimed <= deposited), "claim outcome");
        (uint128 balance, uint128 totalClaimed) = escrow.channels(id);
        require(balance == deposited && totalClaimed == (succeeded ? claimed : 0), "channel state");
    }

    /// @notice A refund returns min(amount, unclaimed), always advances the nonce, and trims a pending withdrawal.
    function testFuzz_refundIsCappedAndTrimsWithdrawal(uint64 deposited, uint64 claimed, uint64 pending, uint64 amount)
        public
    {
        vm.assume(deposited > 0 && amount > 0 && claimed <= deposited);
        escrow.deposit(c, deposited, address(pull), "");
        if (claimed > 0) {
            IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
            rows[0] = IX402BatchSettlement.VoucherClaim({
                voucher: IX402BatchSettlement.Voucher({channel: c, maxClaimableAmount: claimed}),
                signature: _signature(PAYER_KEY, escrow.getVoucherDigest(id, claimed)),
                totalClaimed: claimed
            });
            vm.prank(c.receiverAuthorizer);
            escrow.claim(rows);
        }
        uint128 available = uint128(deposited) - claimed;
        uint128 pendingAmount = available == 0 ? 0 : uint128(_bound(pending, 1, available));
        if (pendingAmount != 0) escrow.initiateWithdraw(c, pendingAmount);
        uint256 before = token.balanceOf(address(this));
        vm.prank(c.receiver);
        escrow.refund(c, amount);
        uint128 expected = amount < available ? amount : available;
        require(token.balanceOf(address(this)) - before == expected, "refunded amount");
        require(escrow.refundNonce(id) == 1, "nonce");
        (uint128 left,) = escrow.pendingWithdrawals(id);
        uint128 trimmed = expected == 0 ? pendingAmount : (expected >= pendingAmount ? 0 : pendingAmount - expected);
        require(left == trimmed, "pending withdrawal");
    }
}
