using System.Text.Json;
using SteelCI.Contracts;
using SteelCI.Kernels;

namespace SteelCI.Slurm;

/// <summary>
/// The rung a gpu stage would take on this cluster, found by the launcher's own ladder (<c>launcher --device</c>), not a
/// second copy of it: a probe folder in the shared folder holds the launcher with the cluster's device rules (and a link
/// to the staged runtime), run where the cluster's files are (over SSH on the login node; here when the shared folder
/// is mounted here) with <c>STEELCI_ASSUME_GPU=1</c>, since a login node has no GPU of its own.
/// </summary>
public static class SlurmDeviceProbe
{
    public sealed record Result(string? Device, string Rung, string Reason);

    public delegate Task<(int Exit, string Output, string Error)> Shell(string command, CancellationToken cancellationToken);

    public static async Task<Result> RunAsync(IClusterFiles files, SlurmOptions options, string libtorch, Shell shell, CancellationToken cancellationToken)
    {
        var folder = $"{options.SharedDir.TrimEnd('/')}/.steelci-device-{Guid.NewGuid():N}";
        files.CreateDirectory(folder + "/input");
        var local = Directory.CreateTempSubdirectory("steelci-device-");
        try
        {
            var staged = ClusterRuntime.Find(files, options.SharedDir, libtorch);
            var key = staged is null ? null : ClusterRuntime.KeyFor(libtorch);
            if (staged is not null)
                files.Symlink(folder + "/input/" + key, staged);
            var spec = SlurmDevice.Apply(ProbeSpec(libtorch), options, key);
            KernelPackager.Write(local.FullName, spec);
            files.Upload(Path.Combine(local.FullName, LauncherScript.FileName), folder + "/" + LauncherScript.FileName);
            var command = $"STEELCI_INPUT_ROOT={SlurmSshClient.Quote(folder + "/input")} STEELCI_ASSUME_GPU=1 " +
                $"{options.Python} {SlurmSshClient.Quote(folder + "/" + LauncherScript.FileName)} --device";
            var (exit, output, error) = await shell(command, cancellationToken);
            var line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
            if (exit != 0 || line is null)
                throw new SlurmException($"the launcher's device check ({options.Python}) exited {exit}: {(error.Trim().Split('\n').LastOrDefault() ?? "no output")}");
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return new Result(root.GetProperty("device").GetString(), root.GetProperty("rung").GetString()!, root.GetProperty("reason").GetString()!);
        }
        finally
        {
            files.DeleteTree(folder);
            local.Delete(recursive: true);
        }
    }

    private static KernelSpec ProbeSpec(string libtorch) => new()
    {
        Slug = "steelci-device-probe",
        Stage = new StageConfig
        {
            Pipeline = "doctor", Stage = "gpu-stage", Entry = "probe", ContentKey = new string('0', 64), Epochs = 1,
            Params = new Dictionary<string, string>(), Inputs = [], TrainerHash = new string('0', 64), SteelciVersion = "0",
        },
        BundleMount = "none",
        SessionSeconds = 60,
        Mounts = [],
        Device = new DeviceRules { Accelerator = "gpu", Libtorch = libtorch },
    };
}
