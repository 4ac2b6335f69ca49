// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title ReentrantToken
 * @notice Test-only ERC-20 that, once armed, calls back into `target` with `data` during the next transfer out of
 * `target`, and records whether that reentrant call reverted and with what. It never reverts itself, so the test
 * sees the outer call succeed and can check that the reentry was refused.
 */
contract ReentrantToken is ERC20 {
    address public target;
    bytes public reentryData;
    bool public armed;
    bool public reentryAttempted;
    bool public reentrySucceeded;
    bytes public reentryResult;

    constructor() ERC20("Reentrant Token", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes the next transfer out of `target_` call `target_` with `data`.
    function arm(address target_, bytes calldata data) external {
        target = target_;
        reentryData = data;
        armed = true;
        reentryAttempted = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from == target && from != address(0)) {
            armed = false;
            reentryAttempted = true;
            (reentrySucceeded, reentryResult) = target.call(reentryData);
        }
    }
}
