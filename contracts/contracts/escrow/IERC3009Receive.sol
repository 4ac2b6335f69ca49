// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/**
 * @title IERC3009Receive
 * @notice The two `receiveWithAuthorization` forms of EIP-3009 tokens: the `(v, r, s)` one of the EIP (USDC,
 * OpenZeppelin's `draft-ERC3009`), and the `bytes signature` one USDC 2.2 adds for ERC-1271 wallets.
 */
interface IERC3009Receive {
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;
}
