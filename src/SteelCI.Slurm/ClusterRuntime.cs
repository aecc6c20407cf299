using System.Diagnostics;
using System.Text.Json;
using SteelCI.Kernels;

namespace SteelCI.Slurm;

/// <summary>
/// The pinned CUDA runtime on a cluster (rung b of the launcher's device ladder): the folder Kaggle's one-off runtime
/// kernel leaves (<see cref="PinnedRuntime"/>: <c>lib/</c> and <c>steelci-runtime.json</c>), made by the same script
/// (Launcher/prepare_runtime.py) on a machine with internet, and staged once into <c>{shared}/inputs/{key}</c> like any
/// input. The key is the Kaggle kernel's slug (<c>steelci-libtorch-2-10-0-cu128-{hash12 of the script}</c>): a new
/// version or index is a new folder, the same one is never copied twice.
/// </summary>
public static class ClusterRuntime
{
    public static string KeyFor(string libtorch) => PinnedRuntime.KernelSlug(PinnedRuntime.Script(libtorch), libtorch);

    public static string PathIn(string sharedDir, string libtorch) => sharedDir.TrimEnd('/') + "/inputs/" + KeyFor(libtorch);

    /// <summary>The staged runtime's folder (shared-folder path) when it is whole, else null.</summary>
    public static string? Find(IClusterFiles files, string sharedDir, string libtorch)
    {
        var path = PathIn(sharedDir, libtorch);
        return files.Exists(path + "/" + PinnedRuntime.InfoFile) ? path : null;
    }

    /// <summary>Stages a prepared runtime folder once (temp folder, then rename); one that holds another libtorch is refused naming both.</summary>
    public static string Stage(IClusterFiles files, string sharedDir, string runtimeFolder, string libtorch)
    {
        var info = Path.Combine(runtimeFolder, PinnedRuntime.InfoFile);
        if (!File.Exists(info))
            throw new SlurmException($"{runtimeFolder} has no {PinnedRuntime.InfoFile}: not a finished pinned runtime (prepare_runtime.py writes it last)");
        using var document = JsonDocument.Parse(File.ReadAllText(info));
        var holds = document.RootElement.TryGetProperty("libtorch", out var value) ? value.GetString() : null;
        if (holds is null || BundleLibtorch.Release(holds) != BundleLibtorch.Release(libtorch))
            throw new SlurmException($"{runtimeFolder} holds libtorch {holds ?? "unknown"}, but TorchSharp binds libtorch {libtorch}; prepare the runtime of {libtorch}");
        return InputStager.Stage(files, sharedDir, new Ports.KernelSource(PinnedRuntime.MountName, runtimeFolder, KeyFor(libtorch)));
    }

    /// <summary>
    /// Makes the runtime here with the script Kaggle's runtime kernel runs (python3, internet: PyTorch's cu128 index and
    /// PyPI, wheels checked against the indexes' sha256) into <paramref name="folder"/>; kept when already finished.
    /// </summary>
    public static async Task<string> PrepareAsync(string folder, string libtorch, string python, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(folder, PinnedRuntime.InfoFile)))
            return folder;
        Directory.CreateDirectory(folder);
        var script = Path.Combine(folder + ".script", PinnedRuntime.CodeFile);
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        await File.WriteAllTextAsync(script, PinnedRuntime.Script(libtorch), cancellationToken);
        var start = new ProcessStartInfo(python, [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["STEELCI_WORKING_DIR"] = folder;
        start.Environment["STEELCI_SCRATCH_DIR"] = Path.GetDirectoryName(script)!;
        using var process = Process.Start(start) ?? throw new SlurmException($"cannot start {python}");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(folder, PinnedRuntime.InfoFile)))
            throw new SlurmException($"preparing the pinned runtime failed (exit {process.ExitCode}): " +
                string.Join('\n', (output + await error).Trim().Split('\n').TakeLast(5)));
        return folder;
    }
}
