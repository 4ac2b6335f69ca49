// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDepositCollector} from "./IDepositCollector.sol";
import {IERC3009Receive} from "./IERC3009Receive.sol";

/**
 * @title ERC3009DepositCollector
 * @notice Makes a deposit gasless for the payer: the escrow's relayer submits the payer's EIP-3009
 * `ReceiveWithAuthorization` (to this contract), and this contract forwards the tokens to the escrow.
 *
 * @dev The authorization's nonce must be `keccak256(abi.encode(channelId, salt))` ({depositNonce}), so a relayed
 * authorization only ever funds the channel the payer signed it for: submitting it with another channel's config
 * changes the nonce and the token rejects the signature. `receiveWithAuthorization` (not `transferWithAuthorization`)
 * is what stops anyone else from spending the authorization outside a deposit: only its `to`, this contract, may
 * submit it, and only the escrow may call {collect}.
 *
 * The escrow's address is an immutable, which lives in the runtime code: a copy of this code placed elsewhere
 * still serves the escrow it was built for.
 */
contract ERC3009DepositCollector is IDepositCollector {
    using SafeERC20 for IERC20;

    /// @notice The escrow this collector serves: the only caller of {collect} and the receiver of what it collects.
    address public immutable x402BatchSettlement;

    /// @dev `caller` is not the escrow this collector serves.
    error OnlyX402BatchSettlement(address caller);

    /// @dev The escrow address given to the constructor is zero.
    error InvalidX402BatchSettlement();

    constructor(address x402BatchSettlement_) {
        require(x402BatchSettlement_ != address(0), InvalidX402BatchSettlement());
        x402BatchSettlement = x402BatchSettlement_;
    }

    /**
     * @inheritdoc IDepositCollector
     * @dev `collectorData` is `abi.encode(uint256 validAfter, uint256 validBefore, uint256 salt, bytes signature)`,
     * as the x402 EVM SDK builds it. A 65-byte signature goes to the `(v, r, s)` form of `receiveWithAuthorization`,
     * which every EIP-3009 token has; any other length (an ERC-1271 wallet's) to the `bytes` form of USDC 2.2.
     */
    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external
    {
        require(msg.sender == x402BatchSettlement, OnlyX402BatchSettlement(msg.sender));
        (uint256 validAfter, uint256 validBefore, uint256 salt, bytes memory signature) =
            abi.decode(collectorData, (uint256, uint256, uint256, bytes));
        _receive(IERC3009Receive(token), payer, amount, validAfter, validBefore, depositNonce(channelId, salt), signature);
        IERC20(token).safeTransfer(x402BatchSettlement, amount);
    }

    /// @notice The EIP-3009 nonce that binds a deposit authorization to channel `channelId`.
    function depositNonce(bytes32 channelId, uint256 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(channelId, salt));
    }

    /// @dev Pulls `amount` from `payer` to this contract with the payer's authorization.
    function _receive(
        IERC3009Receive token,
        address payer,
        uint256 amount,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) internal virtual {
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                r := mload(add(signature, 0x20))
                s := mload(add(signature, 0x40))
                v := byte(0, mload(add(signature, 0x60)))
            }
            token.receiveWithAuthorization(payer, address(this), amount, validAfter, validBefore, nonce, v, r, s);
        } else {
            token.receiveWithAuthorization(payer, address(this), amount, validAfter, validBefore, nonce, signature);
        }
    }
}
