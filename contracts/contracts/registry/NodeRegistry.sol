// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/**
 * @title NodeRegistry
 * @notice wg402's on-chain directory of VPN nodes. Each entry is keyed by the node's WireGuard public key (one key,
 * one entry), names its lease API endpoint (one endpoint, one entry), its region, prices, payment schemes, `payTo`
 * and the key that signs its offers, and is backed by a stake in `stakeToken`. Operators update, add stake, start
 * unbonding and withdraw after `unbondingDelay`; an unbonding node is listed as leaving, never as active.
 *
 * @dev Trust assumption: holders of `ARBITER_ROLE` may slash any entry's stake (up to all of it, once per evidence
 * hash) against evidence they judge, e.g. a signed usage receipt that contradicts the client's counters, or a
 * payment that bought nothing. They cannot take stake for themselves: slashed stake goes to `treasury` (or is burned
 * to `BURN_ADDRESS` when the treasury is zero). The admin role grants and revokes arbiters.
 */
contract NodeRegistry is AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Who may slash.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Where slashed stake goes when there is no treasury: ERC-20s refuse the zero address.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice Payment schemes, as bits of `NodeInfo.schemes`.
    uint8 public constant SCHEME_EXACT = 1;
    uint8 public constant SCHEME_BATCH_SETTLEMENT = 2;
    /// @notice The longest endpoint and label an entry may carry, in bytes.
    uint256 public constant MAX_ENDPOINT_BYTES = 256;
    uint256 public constant MAX_LABEL_BYTES = 64;
    /// @notice The most entries one page of {nodesPage} returns.
    uint256 public constant MAX_PAGE = 200;

    /// @notice What an operator states about its node.
    struct NodeInfo {
        bytes32 wireguardKey;
        address payTo;
        /// @dev The node's own signing key (its `offerSigner` in `GET /`), not the operator's.
        address signer;
        uint256 pricePerMinute;
        /// @dev Zero: the node sells time only.
        uint256 pricePerMb;
        uint8 schemes;
        /// @dev ISO 3166-1 alpha-2, upper case, e.g. "DE".
        bytes2 country;
        string endpoint;
        string label;
    }

    /// @notice An entry: the node's info, who controls it, its stake, and when its unbonding ends (0: not unbonding).
    struct Node {
        NodeInfo info;
        address operator;
        uint256 stake;
        uint64 unbondingEndsAt;
        uint32 version;
    }

    IERC20 public immutable stakeToken;
    uint256 public immutable minStake;
    uint64 public immutable unbondingDelay;
    address public immutable treasury;

    /// @notice The sum of every entry's stake: what this contract holds in `stakeToken`.
    uint256 public totalStake;

    mapping(bytes32 id => Node) private _nodes;
    mapping(bytes32 endpointHash => bytes32 id) private _endpointOwner;
    mapping(bytes32 evidence => bool) public evidenceUsed;
    bytes32[] private _ids;
    mapping(bytes32 id => uint256) private _position; // 1-based index into _ids; 0: absent

    event NodeRegistered(bytes32 indexed id, address indexed operator, string endpoint, uint256 stake);
    event NodeUpdated(bytes32 indexed id, uint32 version);
    event StakeAdded(bytes32 indexed id, uint256 amount, uint256 stake);
    event UnbondingStarted(bytes32 indexed id, uint64 endsAt);
    event NodeWithdrawn(bytes32 indexed id, address indexed operator, uint256 amount);
    event NodeSlashed(bytes32 indexed id, bytes32 indexed evidence, uint256 amount, address to);

    error ZeroAddress();
    error InvalidKey();
    error InvalidInfo(string field);
    error StakeTooLow(uint256 amount, uint256 minimum);
    error KeyTaken(bytes32 id);
    error EndpointTaken(bytes32 endpointHash, bytes32 owner);
    error UnknownNode(bytes32 id);
    error NotOperator(bytes32 id, address caller);
    error StaleVersion(bytes32 id, uint32 expected, uint32 current);
    error KeyChange(bytes32 id, bytes32 wireguardKey);
    error AlreadyUnbonding(bytes32 id, uint64 endsAt);
    error NotUnbonding(bytes32 id);
    error UnbondingNotOver(bytes32 id, uint64 endsAt);
    error UnbondingOver(bytes32 id, uint64 endedAt);
    error SlashExceedsStake(bytes32 id, uint256 amount, uint256 stake);
    error EvidenceAlreadyUsed(bytes32 evidence);
    error ZeroAmount();

    /**
     * @param token The token stake is paid in.
     * @param minStake_ The least stake an entry needs to register (and to count as active).
     * @param unbondingDelay_ How long stake stays slashable after its operator starts unbonding.
     * @param treasury_ Where slashed stake goes; zero burns it.
     * @param admin Grants and revokes `ARBITER_ROLE`.
     */
    constructor(IERC20 token, uint256 minStake_, uint64 unbondingDelay_, address treasury_, address admin) {
        if (address(token) == address(0) || admin == address(0)) revert ZeroAddress();
        if (minStake_ == 0) revert ZeroAmount();
        stakeToken = token;
        minStake = minStake_;
        unbondingDelay = unbondingDelay_;
        treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Registers `info` with `stake` (pulled from the caller, who becomes its operator). Returns its id.
    function register(NodeInfo calldata info, uint256 stake) external returns (bytes32 id) {
        id = _register(info, stake, msg.sender);
    }

    /**
     * @notice Replaces an entry's info. `expectedVersion` is the version the operator read: an update built on an
     * older view (a second transaction racing the first) is refused rather than undo the newer one.
     */
    function update(bytes32 id, uint32 expectedVersion, NodeInfo calldata info) external {
        _update(_operatorsNode(id), id, expectedVersion, info);
    }

    /// @notice Adds stake to an entry that is not unbonding.
    function addStake(bytes32 id, uint256 amount) external {
        _addStake(_operatorsNode(id), id, amount);
    }

    /// @notice Starts the unbonding delay: the entry is listed as leaving and its stake stays slashable until it ends.
    function startUnbonding(bytes32 id) external {
        _startUnbonding(_operatorsNode(id), id);
    }

    /// @notice Once the delay is over: pays the stake back to the operator and removes the entry.
    function withdraw(bytes32 id) external {
        _withdraw(_operatorsNode(id), id);
    }

    /// @notice Slashes `amount` of an entry's stake against `evidence` (once per evidence), to the treasury.
    function slash(bytes32 id, uint256 amount, bytes32 evidence) external onlyRole(ARBITER_ROLE) {
        _slash(id, amount, evidence);
    }

    /// @notice The entry of `id` (operator zero: none).
    function node(bytes32 id) external view returns (Node memory) {
        return _nodes[id];
    }

    /// @notice Whether `id` is registered, not unbonding, and staked at least `minStake`.
    function isActive(bytes32 id) public view returns (bool) {
        Node storage n = _nodes[id];
        return n.operator != address(0) && n.unbondingEndsAt == 0 && n.stake >= minStake;
    }

    /// @notice The entry that holds `endpoint`, if any.
    function idOfEndpoint(string calldata endpoint) external view returns (bytes32) {
        return _endpointOwner[keccak256(bytes(endpoint))];
    }

    function nodeCount() external view returns (uint256) {
        return _ids.length;
    }

    /// @notice Up to `limit` (≤ MAX_PAGE) entries from `offset`, with their ids and whether each is active.
    function nodesPage(uint256 offset, uint256 limit)
        external
        view
        returns (bytes32[] memory ids, Node[] memory entries, bool[] memory active)
    {
        uint256 end = offset + (limit > MAX_PAGE ? MAX_PAGE : limit);
        if (end > _ids.length) end = _ids.length;
        uint256 count = end > offset ? end - offset : 0;
        ids = new bytes32[](count);
        entries = new Node[](count);
        active = new bool[](count);
        for (uint256 i = 0; i < count; i++) {
            bytes32 id = _ids[offset + i];
            ids[i] = id;
            entries[i] = _nodes[id];
            active[i] = isActive(id);
        }
    }

    function _register(NodeInfo calldata info, uint256 stake, address operator) internal returns (bytes32 id) {
        _checkInfo(info);
        id = info.wireguardKey;
        if (_nodes[id].operator != address(0)) revert KeyTaken(id);
        if (stake < minStake) revert StakeTooLow(stake, minStake);
        _claimEndpoint(id, info.endpoint);
        Node storage n = _nodes[id];
        n.info = info;
        n.operator = operator;
        n.stake = stake;
        n.version = 1;
        _ids.push(id);
        _position[id] = _ids.length;
        totalStake += stake;
        stakeToken.safeTransferFrom(operator, address(this), stake);
        emit NodeRegistered(id, operator, info.endpoint, stake);
    }

    function _update(Node storage n, bytes32 id, uint32 expectedVersion, NodeInfo calldata info) internal {
        if (n.unbondingEndsAt != 0) revert AlreadyUnbonding(id, n.unbondingEndsAt);
        if (expectedVersion != n.version) revert StaleVersion(id, expectedVersion, n.version);
        if (info.wireguardKey != id) revert KeyChange(id, info.wireguardKey);
        _checkInfo(info);
        bytes32 oldHash = keccak256(bytes(n.info.endpoint));
        if (oldHash != keccak256(bytes(info.endpoint))) {
            delete _endpointOwner[oldHash];
            _claimEndpoint(id, info.endpoint);
        }
        n.info = info;
        n.version += 1;
        emit NodeUpdated(id, n.version);
    }

    function _addStake(Node storage n, bytes32 id, uint256 amount) internal {
        if (amount == 0) revert ZeroAmount();
        if (n.unbondingEndsAt != 0) revert AlreadyUnbonding(id, n.unbondingEndsAt);
        n.stake += amount;
        totalStake += amount;
        stakeToken.safeTransferFrom(msg.sender, address(this), amount);
        emit StakeAdded(id, amount, n.stake);
    }

    function _startUnbonding(Node storage n, bytes32 id) internal {
        if (n.unbondingEndsAt != 0) revert AlreadyUnbonding(id, n.unbondingEndsAt);
        n.unbondingEndsAt = uint64(block.timestamp) + unbondingDelay;
        emit UnbondingStarted(id, n.unbondingEndsAt);
    }

    function _withdraw(Node storage n, bytes32 id) internal {
        if (n.unbondingEndsAt == 0) revert NotUnbonding(id);
        if (block.timestamp < n.unbondingEndsAt) revert UnbondingNotOver(id, n.unbondingEndsAt);
        uint256 amount = n.stake;
        address operator = n.operator;
        _remove(id, n);
        totalStake -= amount;
        if (amount > 0) stakeToken.safeTransfer(operator, amount);
        emit NodeWithdrawn(id, operator, amount);
    }

    function _slash(bytes32 id, uint256 amount, bytes32 evidence) internal {
        Node storage n = _nodes[id];
        if (n.operator == address(0)) revert UnknownNode(id);
        if (amount == 0) revert ZeroAmount();
        if (evidenceUsed[evidence]) revert EvidenceAlreadyUsed(evidence);
        // Past the delay the operator may withdraw at any moment: its stake is no longer at risk.
        if (n.unbondingEndsAt != 0 && block.timestamp >= n.unbondingEndsAt) revert UnbondingOver(id, n.unbondingEndsAt);
        if (amount > n.stake) revert SlashExceedsStake(id, amount, n.stake);
        evidenceUsed[evidence] = true;
        n.stake -= amount;
        totalStake -= amount;
        address to = treasury == address(0) ? BURN_ADDRESS : treasury;
        stakeToken.safeTransfer(to, amount);
        emit NodeSlashed(id, evidence, amount, to);
    }

    function _operatorsNode(bytes32 id) internal view returns (Node storage n) {
        n = _nodes[id];
        if (n.operator == address(0)) revert UnknownNode(id);
        if (n.operator != msg.sender) revert NotOperator(id, msg.sender);
    }

    function _claimEndpoint(bytes32 id, string calldata endpoint) internal {
        bytes32 h = keccak256(bytes(endpoint));
        bytes32 owner = _endpointOwner[h];
        if (owner != bytes32(0) && owner != id) revert EndpointTaken(h, owner);
        _endpointOwner[h] = id;
    }

    function _remove(bytes32 id, Node storage n) internal {
        delete _endpointOwner[keccak256(bytes(n.info.endpoint))];
        uint256 index = _position[id] - 1;
        bytes32 last = _ids[_ids.length - 1];
        _ids[index] = last;
        _position[last] = index + 1;
        _ids.pop();
        delete _position[id];
        delete _nodes[id];
    }

    function _checkInfo(NodeInfo calldata info) internal pure {
        if (info.wireguardKey == bytes32(0)) revert InvalidKey();
        if (info.payTo == address(0) || info.signer == address(0)) revert ZeroAddress();
        uint256 endpointLength = bytes(info.endpoint).length;
        if (endpointLength == 0 || endpointLength > MAX_ENDPOINT_BYTES) revert InvalidInfo("endpoint");
        if (bytes(info.label).length > MAX_LABEL_BYTES) revert InvalidInfo("label");
        if (info.schemes == 0 || info.schemes > (SCHEME_EXACT | SCHEME_BATCH_SETTLEMENT)) revert InvalidInfo("schemes");
        if (!_isCountryCode(info.country)) revert InvalidInfo("country");
    }

    function _isCountryCode(bytes2 country) internal pure returns (bool) {
        for (uint256 i = 0; i < 2; i++) {
            bytes1 c = country[i];
            if (c < 0x41 || c > 0x5a) return false;
        }
        return true;
    }
}
