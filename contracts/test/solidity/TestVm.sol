// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice The few cheatcodes of Hardhat 3's Solidity test runner (forge-std compatible) these tests use.
interface TestVm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function assume(bool condition) external pure;
    function warp(uint256 timestamp) external;
    function etch(address target, bytes calldata code) external;
    function snapshotGasLastCall(string calldata name) external returns (uint256 gasUsed);
}

/// @notice The cheatcode address and small helpers shared by the escrow's Solidity tests.
abstract contract WithVm {
    TestVm internal constant vm = TestVm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function _signature(uint256 privateKey, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return max <= min ? min : min + (x % (max - min + 1));
    }
}
