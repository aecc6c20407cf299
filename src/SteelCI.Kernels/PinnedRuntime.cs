namespace SteelCI.Kernels;

/// <summary>
/// The pinned CUDA libtorch runtime (rung b of the launcher's device ladder): PyTorch's CUDA 12.8 wheel of the version
/// TorchSharp binds and its CUDA library wheels, unpacked to their native libraries by a one-off kernel with internet
/// on, and mounted into training kernels as that kernel's output. <see cref="InfoFile"/> at its root says what it holds.
/// </summary>
public static class PinnedRuntime
{
    public const string Cuda = "12.8";
    public const string CudaTag = "cu128";
    /// <summary>The runtime's mount name and the prefix of the kernel that prepares it: <c>steelci-libtorch-2-10-0-cu128-{key12}</c>.</summary>
    public const string MountPrefix = "steelci-libtorch-";
    public const string InfoFile = "steelci-runtime.json";
    /// <summary>The folder of native libraries inside the runtime.</summary>
    public const string LibFolder = "lib";
}
