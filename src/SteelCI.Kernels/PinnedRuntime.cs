using System.Text.Json;
using SteelCI.Hashing;

namespace SteelCI.Kernels;

/// <summary>
/// The pinned CUDA libtorch runtime (rung b of the launcher's device ladder): PyTorch's CUDA 12.8 wheel of the version
/// TorchSharp binds and its CUDA library wheels, unpacked to their native libraries by a one-off kernel with internet
/// on (Launcher/prepare_runtime.py), and mounted into training kernels as that kernel's output. <see cref="InfoFile"/>
/// at its root says what it holds. The kernel is content-addressed like the bundle: its slug ends in the hash of its
/// script, which holds the version and the indexes it fetches from.
/// </summary>
public static class PinnedRuntime
{
    public const string Cuda = "12.8";
    public const string CudaTag = "cu128";
    public const string MountPrefix = "steelci-libtorch-";
    /// <summary>The mount name a training kernel knows the runtime by (attached as the runtime kernel's slug).</summary>
    public const string MountName = "steelci-cuda-runtime";
    public const string InfoFile = "steelci-runtime.json";
    /// <summary>The folder of native libraries inside the runtime.</summary>
    public const string LibFolder = "lib";
    public const string CodeFile = "steelci_prepare_runtime.py";
    public const string DefaultTorchIndex = "https://download.pytorch.org/whl/" + CudaTag;
    public const string DefaultPypiIndex = "https://pypi.org/simple";

    /// <summary>The one-off kernel's script for <paramref name="libtorch"/>, fetching from these PEP 503 simple indexes.</summary>
    public static string Script(string libtorch, string torchIndex = DefaultTorchIndex, string pypiIndex = DefaultPypiIndex)
    {
        var spec = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["libtorch"] = BundleLibtorch.Release(libtorch), ["cudaTag"] = CudaTag, ["cuda"] = Cuda, ["lib"] = LibFolder,
            ["torchIndex"] = torchIndex, ["pypiIndex"] = pypiIndex,
        });
        return LauncherScript.Resource("prepare_runtime.py").Replace("__RUNTIME_JSON__", spec);
    }

    /// <summary><c>steelci-libtorch-2-10-0-cu128-{hash12 of the script}</c>: the same on every account (the owner differs).</summary>
    public static string KernelSlug(string script, string libtorch) =>
        $"{MountPrefix}{BundleLibtorch.Release(libtorch).Replace('.', '-')}-{CudaTag}-{Sha256.OfText(script)[..12]}";
}
