// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/**
 * @title LocalMulticall3
 * @notice A small stand-in for Multicall3 on the local chain, where nothing sits at its canonical address
 * (`0xcA11bde05977b3631167028862bE2a173976CA11`) until wg402 puts this code there. It has Multicall3's ABI for the
 * calls that the x402 EVM SDK (`tryAggregate`) and viem (`aggregate3`, `getCurrentBlockTimestamp`, `getEthBalance`)
 * make, plus `aggregate` and the block getters.
 * @dev Stateless and without immutables, so its runtime code works at any address. Calls carry no value: the
 * functions are payable only to keep Multicall3's ABI, and ether sent to them stays here.
 */
contract LocalMulticall3 {
    struct Call {
        address target;
        bytes callData;
    }

    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @dev Call `index` reverted where failure was not allowed; `returnData` is its revert data.
    error CallFailed(uint256 index, bytes returnData);

    /// @notice Runs every call; any failure reverts the whole batch.
    function aggregate(Call[] calldata calls) external payable returns (uint256 blockNumber, bytes[] memory returnData) {
        blockNumber = block.number;
        returnData = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(success, CallFailed(i, data));
            returnData[i] = data;
        }
    }

    /// @notice Runs every call and reports each outcome; with `requireSuccess` any failure reverts the batch.
    function tryAggregate(bool requireSuccess, Call[] calldata calls)
        external
        payable
        returns (Result[] memory returnData)
    {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(success || !requireSuccess, CallFailed(i, data));
            returnData[i] = Result(success, data);
        }
    }

    /// @notice Runs every call and reports each outcome; a failure of a call that does not allow it reverts the batch.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(success || calls[i].allowFailure, CallFailed(i, data));
            returnData[i] = Result(success, data);
        }
    }

    function getBlockNumber() external view returns (uint256 blockNumber) {
        blockNumber = block.number;
    }

    function getCurrentBlockTimestamp() external view returns (uint256 timestamp) {
        timestamp = block.timestamp;
    }

    function getChainId() external view returns (uint256 chainid) {
        chainid = block.chainid;
    }

    function getBasefee() external view returns (uint256 basefee) {
        basefee = block.basefee;
    }

    function getEthBalance(address addr) external view returns (uint256 balance) {
        balance = addr.balance;
    }
}
