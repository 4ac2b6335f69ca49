// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {X402TestUSD} from "../../contracts/X402TestUSD.sol";
import {NodeRegistry} from "../../contracts/registry/NodeRegistry.sol";
import {WithVm} from "./TestVm.sol";

/**
 * @notice The fuzzer's hands on the registry: three operators register nodes (eight keys, four endpoints, so keys
 * and endpoints collide), add stake, update, start unbonding, withdraw, and an arbiter slashes with fresh and
 * reused evidence, all with time travel in between. Every call's outcome is checked against a model; a
 * legitimate move refused or an illegitimate one accepted is counted in `unexpected`.
 */
contract RegistryHandler is WithVm {
    uint256 internal constant MIN_STAKE = 1_000;
    uint64 internal constant DELAY = 7 days;
    uint256 internal constant KEYS = 8;
    uint256 internal constant ENDPOINTS = 4;

    X402TestUSD public immutable token;
    NodeRegistry public immutable registry;
    address public immutable arbiter = address(uint160(0xA4B1));
    address public immutable treasury = address(uint160(0x7EA5));
    address[3] public operators = [address(uint160(0x0a1)), address(uint160(0x0a2)), address(uint160(0x0a3))];

    mapping(bytes32 id => uint256) public modelStake;
    uint256 public slashed;
    uint256 public unexpected;
    string public firstUnexpected;
    mapping(bytes32 evidence => bool) internal _usedEvidence;

    constructor() {
        token = new X402TestUSD(address(this), 0, 0, 0);
        registry = new NodeRegistry(token, MIN_STAKE, DELAY, treasury, address(this));
        registry.grantRole(registry.ARBITER_ROLE(), arbiter);
        for (uint256 i = 0; i < operators.length; i++) {
            token.mint(operators[i], 1e12);
            vm.prank(operators[i]);
            token.approve(address(registry), type(uint256).max);
        }
    }

    function keyOf(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("wg key", i % KEYS));
    }

    function _info(bytes32 key, uint256 endpoint) internal pure returns (NodeRegistry.NodeInfo memory info) {
        info.wireguardKey = key;
        info.payTo = address(uint160(0xBA7));
        info.signer = address(uint160(0x5167));
        info.pricePerMinute = 1_000;
        info.schemes = 1;
        info.country = "DE";
        info.endpoint = string(abi.encodePacked("http://node-", bytes1(uint8(0x30 + (endpoint % ENDPOINTS)))));
    }

    function _expect(bool ok, bool expected, string memory what) internal {
        if (ok != expected) {
            if (unexpected == 0) firstUnexpected = what;
            unexpected++;
        }
    }

    function register(uint256 who, uint256 key, uint256 endpoint, uint256 stake) external {
        address operator = operators[who % operators.length];
        bytes32 id = keyOf(key);
        stake = _bound(stake, 0, 5 * MIN_STAKE);
        NodeRegistry.NodeInfo memory info = _info(id, endpoint);
        bytes32 holder = registry.idOfEndpoint(info.endpoint);
        bool legit = registry.node(id).operator == address(0) && stake >= MIN_STAKE && holder == bytes32(0);
        vm.prank(operator);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.register, (info, stake)));
        _expect(ok, legit, "register");
        if (ok) modelStake[id] = stake;
    }

    function addStake(uint256 key, uint256 amount, uint256 asWho) external {
        bytes32 id = keyOf(key);
        NodeRegistry.Node memory n = registry.node(id);
        amount = _bound(amount, 0, 3 * MIN_STAKE);
        address caller = asWho % 4 == 0 ? operators[asWho % operators.length] : n.operator;
        bool legit = n.operator != address(0) && caller == n.operator && n.unbondingEndsAt == 0 && amount > 0;
        vm.prank(caller);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.addStake, (id, amount)));
        _expect(ok, legit, "addStake");
        if (ok) modelStake[id] += amount;
    }

    function update(uint256 key, uint256 endpoint, bool stale) external {
        bytes32 id = keyOf(key);
        NodeRegistry.Node memory n = registry.node(id);
        NodeRegistry.NodeInfo memory info = _info(id, endpoint);
        bytes32 holder = registry.idOfEndpoint(info.endpoint);
        uint32 version = stale ? n.version - (n.version > 0 ? 1 : 0) : n.version;
        bool legit = n.operator != address(0) && n.unbondingEndsAt == 0 && version == n.version
            && (holder == bytes32(0) || holder == id);
        vm.prank(n.operator == address(0) ? operators[0] : n.operator);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.update, (id, version, info)));
        _expect(ok, legit, "update");
    }

    function startUnbonding(uint256 key) external {
        bytes32 id = keyOf(key);
        NodeRegistry.Node memory n = registry.node(id);
        bool legit = n.operator != address(0) && n.unbondingEndsAt == 0;
        vm.prank(n.operator == address(0) ? operators[1] : n.operator);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.startUnbonding, (id)));
        _expect(ok, legit, "startUnbonding");
    }

    function withdraw(uint256 key) external {
        bytes32 id = keyOf(key);
        NodeRegistry.Node memory n = registry.node(id);
        bool legit = n.operator != address(0) && n.unbondingEndsAt != 0 && block.timestamp >= n.unbondingEndsAt;
        uint256 before = n.operator == address(0) ? 0 : token.balanceOf(n.operator);
        vm.prank(n.operator == address(0) ? operators[2] : n.operator);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.withdraw, (id)));
        _expect(ok, legit, "withdraw");
        if (ok) {
            _expect(token.balanceOf(n.operator) == before + modelStake[id], true, "withdraw pays the stake");
            modelStake[id] = 0;
        }
    }

    function slash(uint256 key, uint256 amount, uint256 evidence) external {
        bytes32 id = keyOf(key);
        NodeRegistry.Node memory n = registry.node(id);
        amount = _bound(amount, 0, 6 * MIN_STAKE);
        bytes32 proof = keccak256(abi.encode("evidence", evidence % 16));
        bool open = n.unbondingEndsAt == 0 || block.timestamp < n.unbondingEndsAt;
        bool legit = n.operator != address(0) && amount > 0 && amount <= n.stake && open && !_usedEvidence[proof];
        vm.prank(arbiter);
        (bool ok,) = address(registry).call(abi.encodeCall(NodeRegistry.slash, (id, amount, proof)));
        _expect(ok, legit, "slash");
        if (ok) {
            _usedEvidence[proof] = true;
            modelStake[id] -= amount;
            slashed += amount;
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1, 10 days));
    }
}

/// @notice The registry's accounting under random operation sequences.
contract NodeRegistryInvariantTest is WithVm {
    RegistryHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        handler = new RegistryHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Total stake is the sum of the entries' stakes, the model's, and exactly what the registry holds.
    function invariant_totalStakeIsTheSumOfTheEntries() public view {
        NodeRegistry registry = handler.registry();
        uint256 sum;
        uint256 model;
        (bytes32[] memory ids, NodeRegistry.Node[] memory entries,) = registry.nodesPage(0, 200);
        for (uint256 i = 0; i < ids.length; i++) {
            sum += entries[i].stake;
            model += handler.modelStake(ids[i]);
        }
        require(registry.totalStake() == sum, "totalStake != sum of the entries' stakes");
        require(sum == model, "entries' stakes != the model's");
        require(handler.token().balanceOf(address(registry)) == sum, "registry balance != total stake");
        require(handler.token().balanceOf(handler.treasury()) == handler.slashed(), "treasury != slashed");
    }

    function invariant_noUnexpectedOutcome() public view {
        require(handler.unexpected() == 0, handler.firstUnexpected());
    }
}
