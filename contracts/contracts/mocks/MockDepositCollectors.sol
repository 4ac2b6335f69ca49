// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IDepositCollector} from "../escrow/IDepositCollector.sol";

/// @title PullCollector
/// @notice Test-only collector: `transferFrom(payer, caller, amount)`, for a payer that approved it.
contract PullCollector is IDepositCollector {
    /// @inheritdoc IDepositCollector
    function collect(address payer, address token, uint256 amount, bytes32, bytes calldata) external {
        require(IERC20(token).transferFrom(payer, msg.sender, amount), "PullCollector: transferFrom");
    }
}

/**
 * @title MisbehavingCollector
 * @notice Test-only collector that misbehaves: it delivers `amount - shortfall` of its own tokens, and first calls
 * back into the escrow with `reentryData` when set (recording the outcome).
 */
contract MisbehavingCollector is IDepositCollector {
    uint256 public shortfall;
    bytes public reentryData;
    bool public reentrySucceeded;
    bytes public reentryResult;

    function configure(uint256 shortfall_, bytes calldata reentryData_) external {
        shortfall = shortfall_;
        reentryData = reentryData_;
    }

    /// @inheritdoc IDepositCollector
    function collect(address, address token, uint256 amount, bytes32, bytes calldata) external {
        if (reentryData.length != 0) (reentrySucceeded, reentryResult) = msg.sender.call(reentryData);
        uint256 delivered = amount > shortfall ? amount - shortfall : 0;
        if (delivered != 0) require(IERC20(token).transfer(msg.sender, delivered), "MisbehavingCollector: transfer");
    }
}
