// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/**
 * @title IDepositCollector
 * @notice A pluggable way of pulling a deposit into {IX402BatchSettlement}. The escrow calls {collect} and then
 * checks that its own token balance grew by exactly `amount`, so a collector cannot credit a channel with funds it
 * did not deliver.
 */
interface IDepositCollector {
    /**
     * @notice Moves exactly `amount` of `token` from `payer` to the calling escrow for channel `channelId`.
     * @param collectorData collector-specific authorization (signatures, validity window, salt)
     */
    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external;
}
