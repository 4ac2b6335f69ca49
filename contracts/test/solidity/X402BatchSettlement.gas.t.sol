// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {console} from "hardhat/console.sol";
import {X402TestUSD} from "../../contracts/X402TestUSD.sol";
import {ERC3009DepositCollector} from "../../contracts/escrow/ERC3009DepositCollector.sol";
import {IX402BatchSettlement} from "../../contracts/escrow/IX402BatchSettlement.sol";
import {X402BatchSettlement} from "../../contracts/escrow/X402BatchSettlement.sol";
import {GasMockERC3009Token} from "../../contracts/mocks/GasMockERC3009Token.sol";
import {PullCollector} from "../../contracts/mocks/MockDepositCollectors.sol";
import {WithVm} from "./TestVm.sol";

/**
 * @notice The escrow's gas under the conditions of the audited contract's published snapshot
 * (x402-foundation/x402 contracts/evm/snapshots/X402BatchSettlementGasTest.json): each scenario is one test whose
 * set-up calls run in the same transaction as the measured call (so what they touched is warm), measured with
 * `snapshotGasLastCall` (the gas of the call's own frame), with a token that checks no ERC-3009 signature for the
 * deposit row and a pull collector elsewhere. Each figure is logged as `gas <name> <value>` (for
 * `npm run bench:escrow`) and must not exceed the published one. The realistic figures, with a real EIP-3009
 * token and cold storage, are the bench's per-transaction measurements.
 */
contract X402BatchSettlementGasTest is WithVm {
    uint40 internal constant WITHDRAW_DELAY = 3600;
    uint128 internal constant DEPOSIT = 1000e6;
    uint128 internal constant CLAIM = 100e6;
    uint256 internal constant PAYER_KEY = 0x9A1E5;
    uint256 internal constant PAYER_AUTHORIZER_KEY = 0x9A1E5A;
    uint256 internal constant RECEIVER_AUTHORIZER_KEY = 0x5EC5A;

    X402BatchSettlement internal escrow;
    ERC3009DepositCollector internal collector;
    PullCollector internal pull;
    X402TestUSD internal token;
    GasMockERC3009Token internal mock3009;
    address internal payer;
    address internal receiver = address(0x5EC0);
    address internal receiverAuthorizer;

    function setUp() public {
        vm.warp(1_000_000);
        escrow = new X402BatchSettlement();
        collector = new ERC3009DepositCollector(address(escrow));
        pull = new PullCollector();
        token = new X402TestUSD(address(this), 0, 0, 0);
        mock3009 = new GasMockERC3009Token();
        payer = vm.addr(PAYER_KEY);
        receiverAuthorizer = vm.addr(RECEIVER_AUTHORIZER_KEY);
        token.mint(payer, 10_000_000e6);
        mock3009.mint(payer, 10_000_000e6);
        vm.prank(payer);
        token.approve(address(pull), type(uint256).max);
    }

    function _config(address asset, bytes32 salt) internal view returns (IX402BatchSettlement.ChannelConfig memory) {
        return IX402BatchSettlement.ChannelConfig({
            payer: payer,
            payerAuthorizer: vm.addr(PAYER_AUTHORIZER_KEY),
            receiver: receiver,
            receiverAuthorizer: receiverAuthorizer,
            token: asset,
            withdrawDelay: WITHDRAW_DELAY,
            salt: salt
        });
    }

    function _row(IX402BatchSettlement.ChannelConfig memory c) internal view returns (IX402BatchSettlement.VoucherClaim memory) {
        bytes32 id = escrow.getChannelId(c);
        return IX402BatchSettlement.VoucherClaim({
            voucher: IX402BatchSettlement.Voucher({channel: c, maxClaimableAmount: CLAIM}),
            signature: _signature(PAYER_AUTHORIZER_KEY, escrow.getVoucherDigest(id, CLAIM)),
            totalClaimed: CLAIM
        });
    }

    function _record(string memory name, uint256 published) internal {
        uint256 used = vm.snapshotGasLastCall(name);
        console.log("gas", name, used);
        require(used <= published, string.concat(name, " costs more than the published snapshot"));
    }

    function test_gas_baseline_erc20_transfer() public {
        token.mint(address(this), DEPOSIT);
        token.transfer(receiver, DEPOSIT);
        // OpenZeppelin's ERC-20 (the token's), not the snapshot's mock: logged beside the others, not compared.
        console.log("gas", "baseline_erc20_transfer", vm.snapshotGasLastCall("baseline_erc20_transfer"));
    }

    function test_gas_deposit_erc20_pull_first() public {
        escrow.deposit(_config(address(token), 0), DEPOSIT, address(pull), "");
        _record("deposit_erc20_pull_first", 84_770);
    }

    /// @dev The snapshot's conditions: an ERC-3009 token that checks no signature, through the real collector.
    function test_gas_deposit_erc3009_first() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(mock3009), 0);
        bytes memory anySignature = abi.encodePacked(bytes32(uint256(1)), bytes32(uint256(2)), uint8(27));
        escrow.deposit(c, DEPOSIT, address(collector), abi.encode(uint256(0), type(uint256).max, uint256(7), anySignature));
        _record("deposit_erc3009_first", 111_738);
    }

    /// @dev The same through the project's real EIP-3009 token: signature recovery, EIP-712 hashing, nonce storage.
    function test_gas_deposit_erc3009_first_real_token() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(token), 0);
        bytes32 id = escrow.getChannelId(c);
        uint256 salt = 7;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
                ),
                payer,
                address(collector),
                uint256(DEPOSIT),
                uint256(0),
                type(uint256).max,
                collector.depositNonce(id, salt)
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        bytes memory data = abi.encode(uint256(0), type(uint256).max, salt, _signature(PAYER_KEY, digest));
        escrow.deposit(c, DEPOSIT, address(collector), data);
        console.log("gas", "deposit_erc3009_first_real_token", vm.snapshotGasLastCall("deposit_erc3009_first_real_token"));
    }

    function test_gas_claim_one_voucher() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(token), 0);
        escrow.deposit(c, DEPOSIT, address(pull), "");
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = _row(c);
        vm.prank(receiverAuthorizer);
        escrow.claim(rows);
        _record("claim_1_voucher", 40_252);
    }

    function test_gas_claim_ten_channels() public {
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](10);
        for (uint256 i = 0; i < 10; ++i) {
            IX402BatchSettlement.ChannelConfig memory c = _config(address(token), bytes32(i + 1));
            escrow.deposit(c, DEPOSIT, address(pull), "");
            rows[i] = _row(c);
        }
        vm.prank(receiverAuthorizer);
        escrow.claim(rows);
        _record("claim_10_channels", 192_043);
    }

    function test_gas_settle() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(token), 0);
        escrow.deposit(c, DEPOSIT, address(pull), "");
        IX402BatchSettlement.VoucherClaim[] memory rows = new IX402BatchSettlement.VoucherClaim[](1);
        rows[0] = _row(c);
        vm.prank(receiverAuthorizer);
        escrow.claim(rows);
        escrow.settle(receiver, address(token));
        _record("settle_receiver_token", 31_204);
    }

    function test_gas_refund_full() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(token), 0);
        escrow.deposit(c, DEPOSIT, address(pull), "");
        vm.prank(receiverAuthorizer);
        escrow.refund(c, DEPOSIT);
        _record("refund_full_receiverAuth", 43_859);
    }

    function test_gas_refund_with_signature() public {
        IX402BatchSettlement.ChannelConfig memory c = _config(address(token), bytes32(uint256(777)));
        escrow.deposit(c, DEPOSIT, address(pull), "");
        bytes32 id = escrow.getChannelId(c);
        uint256 nonce = escrow.refundNonce(id);
        bytes memory signature = _signature(RECEIVER_AUTHORIZER_KEY, escrow.getRefundDigest(id, nonce, DEPOSIT));
        escrow.refundWithSignature(c, DEPOSIT, nonce, signature);
        _record("refund_with_signature_relay", 53_670);
    }
}
