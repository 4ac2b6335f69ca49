// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title GasMockERC3009Token
 * @notice Test-only ERC-20 whose `receiveWithAuthorization` (both forms) moves the tokens without checking the
 * signature, the nonce or the window: the shape of the token behind the audited contract's published gas snapshot,
 * so the gas test can compare the escrow's own cost under the same conditions.
 */
contract GasMockERC3009Token is ERC20 {
    constructor() ERC20("Gas Mock USD", "gUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256,
        uint256,
        bytes32,
        uint8,
        bytes32,
        bytes32
    ) external {
        _transfer(from, to, value);
    }

    function receiveWithAuthorization(address from, address to, uint256 value, uint256, uint256, bytes32, bytes calldata)
        external
    {
        _transfer(from, to, value);
    }
}
