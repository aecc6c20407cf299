using System.CommandLine;
using Spectre.Console;
using SteelCI.Kernels;
using SteelCI.Slurm;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci slurm runtime [pipeline] [--from DIR] [--libtorch V]</c>: stages the pinned CUDA runtime (rung b of the
/// launcher's device ladder) into the cluster's shared folder once, content-addressed like inputs. Without --from it is
/// made here first by the script Kaggle's runtime kernel runs (python3 with internet: PyTorch's cu128 wheel of that
/// version and its CUDA library wheels), kept under the workspace.
/// </summary>
public static class SlurmRuntimeCommand
{
    public static Command Create(CliServices services)
    {
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var from = new Option<string?>("--from") { Description = "A runtime folder prepared elsewhere (lib/ and steelci-runtime.json), staged as it is" };
        var libtorch = new Option<string>("--libtorch") { Description = $"The libtorch version TorchSharp binds (default {Kaggle.Probe.ProbeReport.DefaultLibtorch}, TorchSharp 0.107's)", DefaultValueFactory = _ => Kaggle.Probe.ProbeReport.DefaultLibtorch };
        var runtime = new Command("runtime", "Stage the pinned CUDA libtorch runtime into compute.slurm.shared_dir once (made here unless --from)")
        {
            pipeline, workspace, from, libtorch,
        };
        runtime.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace), result.GetValue(from),
            result.GetValue(libtorch)!, services, cancellationToken));
        return new Command("slurm", "Slurm tools (stage the pinned CUDA runtime for gpu stages)") { runtime };
    }

    private static async Task<int> RunAsync(string specPath, string? workspaceRoot, string? from, string libtorch, CliServices services,
        CancellationToken cancellationToken)
    {
        var console = services.Console;
        using var context = services.Operate(specPath, workspaceRoot, null, null, strict: false);
        if (context.Pipeline is not { } pipeline)
            return LogsCommand.Fail(console, context.PipelineProblem ?? $"{specPath} cannot be read");
        using var slurm = services.Slurm(pipeline, Path.Combine(context.Workspace.Root, "slurm"));
        if (ClusterRuntime.Find(slurm.Files, slurm.Options.SharedDir, libtorch) is { } staged)
        {
            console.WriteLine($"pinned CUDA runtime (libtorch {libtorch}, CUDA {PinnedRuntime.Cuda}) is staged already: {staged}");
            return ExitCodes.Success;
        }
        try
        {
            var folder = from is not null ? Path.GetFullPath(from)
                : await ClusterRuntime.PrepareAsync(Path.Combine(context.Workspace.Root, "slurm", "runtime", ClusterRuntime.KeyFor(libtorch)), libtorch, "python3", cancellationToken);
            var path = ClusterRuntime.Stage(slurm.Files, slurm.Options.SharedDir, folder, libtorch);
            console.WriteLine($"pinned CUDA runtime (libtorch {libtorch}, CUDA {PinnedRuntime.Cuda}) staged: {path}; gpu stages mount it when " +
                "compute.slurm.libtorch does not serve; `steelci doctor --backend slurm` shows the rung");
            return ExitCodes.Success;
        }
        catch (SlurmException error)
        {
            return LogsCommand.Fail(console, error.Message);
        }
    }
}
