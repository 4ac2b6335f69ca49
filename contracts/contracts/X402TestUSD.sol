// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC3009} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC3009.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/**
 * @title X402TestUSD
 * @notice A USDC-shaped test stablecoin for wg402's local and test networks: 6 decimals, EIP-3009
 * (random `bytes32` nonces and USDC's typehashes, which the x402 `exact` scheme signs), EIP-2612 `permit`,
 * owner minting and a rate-limited public faucet.
 * @dev The faucet is for chains where the token has no value. Deploy with `faucetAmount == 0` to disable it.
 */
contract X402TestUSD is ERC20, ERC20Permit, ERC3009, Ownable {
    /// @notice Tokens (6 decimals) handed out by one {faucet} call.
    uint256 public faucetAmount;
    /// @notice Seconds an account waits between two {faucet} calls.
    uint256 public faucetCooldown;
    /// @notice The most an account can ever receive from the faucet.
    uint256 public faucetCap;

    mapping(address account => uint256) private _faucetClaimed;
    mapping(address account => uint256) private _faucetLastClaim;

    /// @dev The faucet is disabled on this deployment.
    error FaucetDisabled();

    /// @dev `account` must wait until `availableAt` before its next faucet call.
    error FaucetCooldownActive(address account, uint256 availableAt);

    /// @dev Another faucet call would take `account` past `cap`; it has claimed `claimed` so far.
    error FaucetCapExceeded(address account, uint256 claimed, uint256 cap);

    /// @dev Emitted when `account` draws `amount` from the faucet.
    event FaucetDrip(address indexed account, uint256 amount);

    /// @dev Emitted when the owner changes the faucet's limits.
    event FaucetConfigured(uint256 amount, uint256 cooldown, uint256 cap);

    constructor(
        address initialOwner,
        uint256 faucetAmount_,
        uint256 faucetCooldown_,
        uint256 faucetCap_
    ) ERC20("wg402 Test USD", "tUSD") ERC20Permit("wg402 Test USD") Ownable(initialOwner) {
        _configureFaucet(faucetAmount_, faucetCooldown_, faucetCap_);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice The EIP-712 domain version ("1", set by ERC20Permit), exposed as USDC does: x402 clients sign against it.
    function version() external view returns (string memory) {
        return _EIP712Version();
    }

    /// @notice Amount `account` has drawn from the faucet so far.
    function faucetClaimed(address account) external view returns (uint256) {
        return _faucetClaimed[account];
    }

    /// @notice The earliest timestamp at which `account` may call {faucet} again (0 if never claimed).
    function faucetAvailableAt(address account) public view returns (uint256) {
        uint256 last = _faucetLastClaim[account];
        return last == 0 ? 0 : last + faucetCooldown;
    }

    /// @notice Mints `amount` to `to`. Only the owner.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Sends {faucetAmount} to the caller, at most once per {faucetCooldown} and up to {faucetCap}.
    function faucet() external {
        _drip(_msgSender());
    }

    /// @notice Changes the faucet's limits. Only the owner.
    function configureFaucet(uint256 amount, uint256 cooldown, uint256 cap) external onlyOwner {
        _configureFaucet(amount, cooldown, cap);
    }

    /// @dev Checks the faucet limits for `account`, records the claim, then mints.
    function _drip(address account) internal virtual {
        uint256 amount = faucetAmount;
        require(amount != 0, FaucetDisabled());
        uint256 availableAt = faucetAvailableAt(account);
        require(block.timestamp >= availableAt, FaucetCooldownActive(account, availableAt));
        uint256 claimed = _faucetClaimed[account];
        require(claimed + amount <= faucetCap, FaucetCapExceeded(account, claimed, faucetCap));

        _faucetClaimed[account] = claimed + amount;
        _faucetLastClaim[account] = block.timestamp;
        emit FaucetDrip(account, amount);
        _mint(account, amount);
    }

    function _configureFaucet(uint256 amount, uint256 cooldown, uint256 cap) internal virtual {
        faucetAmount = amount;
        faucetCooldown = cooldown;
        faucetCap = cap;
        emit FaucetConfigured(amount, cooldown, cap);
    }
}
