using System.Globalization;
using SteelCI.Contracts;
using SteelCI.Ports;

namespace SteelCI.Local;

/// <summary>
/// Runs each attempt as a process on this machine, in the layout a Kaggle kernel sees:
/// <c>attempts/{slug}/input/{mount}</c> (read-only links to the sources), <c>working/</c> (outputs), <c>log.txt</c>,
/// and <c>exit-code</c> once the launcher ends. An attempt outlives a killed runner and is found again by its handle.
/// </summary>
public sealed class LocalBackend(IProcessRunner processes, string workspace, int slots, int threadsPerAttempt,
    string python = "python3") : IComputeBackend
{
    private const string ExitFile = "exit-code";
    private const string LogFile = "log.txt";

    public string Name => "local";
    public int Slots { get; } = Math.Max(1, slots);

    /// <summary>Slots sized to the cores, one torch thread each; more cores than stages give each stage more threads.</summary>
    public static (int Slots, int Threads) SizeFor(int cores, int? slots)
    {
        var chosen = Math.Max(1, slots ?? cores);
        return (chosen, Math.Max(1, cores / chosen));
    }

    public Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workspace, "attempts", package.Slug);
        if (Directory.Exists(directory))
            throw new InvalidOperationException($"attempt folder {directory} already exists; kernel slugs must be unique");
        var input = Directory.CreateDirectory(Path.Combine(directory, "input")).FullName;
        var working = Directory.CreateDirectory(Path.Combine(directory, "working")).FullName;
        var scratch = Directory.CreateDirectory(Path.Combine(directory, "scratch")).FullName;
        var kernel = Directory.CreateDirectory(Path.Combine(directory, "kernel")).FullName;
        foreach (var file in Directory.EnumerateFiles(package.Directory))
            File.Copy(file, Path.Combine(kernel, Path.GetFileName(file)));
        foreach (var source in package.Sources.Where(s => s.Competition is not null))
            throw new InvalidOperationException($"input '{source.Mount}' is the Kaggle competition '{source.Competition}'; " +
                "the local backend needs its files: download it and pass --data");
        foreach (var source in package.Sources)
        {
            var link = Path.Combine(input, source.Mount); // a nested mount (datasets/{owner}/{slug}) needs its parents
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            Directory.CreateSymbolicLink(link, Path.GetFullPath(source.LocalPath));
        }

        // The shell records the launcher's exit code atomically; the runner reads it even after a restart.
        var script = $"exec </dev/null >/dev/null 2>&1; {python} kernel/{package.CodeFile} >{LogFile} 2>&1; " +
                     $"echo $? >{ExitFile}.tmp && mv {ExitFile}.tmp {ExitFile}";
        var started = processes.StartDetached(new ProcessSpec("/bin/sh", ["-c", script], directory)
        {
            Environment = new Dictionary<string, string>
            {
                ["STEELCI_INPUT_ROOT"] = input,
                ["STEELCI_WORKING_DIR"] = working,
                ["STEELCI_SCRATCH_DIR"] = scratch,
                ["STEELCI_THREADS"] = threadsPerAttempt.ToString(CultureInfo.InvariantCulture),
                ["STEELCI_SESSION_SECONDS"] = package.SessionLimit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
            },
        });
        return Task.FromResult(new AttemptHandle(package.Slug, new Dictionary<string, string>
        {
            ["directory"] = directory,
            ["pid"] = started.Id.ToString(CultureInfo.InvariantCulture),
            ["start"] = started.StartTicks.ToString(CultureInfo.InvariantCulture),
        }));
    }

    public Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var exitFile = Path.Combine(handle.Data["directory"], ExitFile);
        if (File.Exists(exitFile))
        {
            var code = int.Parse(File.ReadAllText(exitFile).Trim(), CultureInfo.InvariantCulture);
            return Task.FromResult(code == 0
                ? new AttemptStatus(AttemptState.Complete)
                : new AttemptStatus(AttemptState.Error, $"launcher exit code {code} ({TrainerContract.DescribeExit(code)})"));
        }
        return Task.FromResult(processes.IsAlive(ProcessOf(handle))
            ? new AttemptStatus(AttemptState.Running)
            : new AttemptStatus(AttemptState.Lost, "the attempt's process ended without recording an exit code (killed?)"));
    }

    public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var directory = handle.Data["directory"];
        var log = Path.Combine(directory, LogFile);
        return Task.FromResult(new CollectedOutput(Path.Combine(directory, "working"), File.Exists(log) ? File.ReadAllText(log) : ""));
    }

    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        processes.KillTree(ProcessOf(handle));
        return Task.CompletedTask;
    }

    public async Task<string> CancelAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        await StopAsync(handle, cancellationToken);
        return "process tree killed";
    }

    private static StartedProcess ProcessOf(AttemptHandle handle) =>
        new(int.Parse(handle.Data["pid"], CultureInfo.InvariantCulture), long.Parse(handle.Data["start"], CultureInfo.InvariantCulture));
}
