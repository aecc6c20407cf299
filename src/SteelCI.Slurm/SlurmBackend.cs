using System.Globalization;
using SteelCI.Ports;

namespace SteelCI.Slurm;

/// <summary>
/// Runs each attempt as one Slurm batch job through slurmrestd or over SSH (<see cref="ISlurmClient"/>). The shared folder (compute.slurm.shared_dir) holds
/// <c>inputs/{content key}</c> (each source copied once and reused, like Kaggle datasets) and
/// <c>attempts/{slug}/</c> in the layout the local backend uses: <c>kernel/</c>, <c>input/{mount}</c> (links to the
/// staged inputs), <c>working/</c> (outputs), <c>log.txt</c> (the job's standard output) and <c>exit-code</c>,
/// written by the job's script when the launcher ends, so a job that has left Slurm's memory is still read rightly.
/// The deadline is the trainer's (STEELCI_SESSION_SECONDS → --time-limit-seconds); Slurm's own time limit is that
/// plus a grace, never past the partition's limit.
/// </summary>
public sealed class SlurmBackend(ISlurmClient client, IClusterFiles files, SlurmOptions options) : IComputeBackend, ILostAttemptOutput
{
    public const string ExitFile = "exit-code";
    public const string LogFile = "log.txt";

    public string Name => "slurm";
    public int Slots => Math.Max(1, options.JobLimit);

    /// <summary>The longest session a job may have here: the partition's limit less the grace.</summary>
    public TimeSpan MaxSession => options.TimeLimit - options.Grace > TimeSpan.FromMinutes(1) ? options.TimeLimit - options.Grace : TimeSpan.FromMinutes(1);

    public async Task<AttemptHandle> SubmitAsync(KernelPackage package, CancellationToken cancellationToken)
    {
        foreach (var source in package.Sources.Where(s => s.Competition is not null))
            throw new SlurmException($"input '{source.Mount}' is the Kaggle competition '{source.Competition}'; a cluster needs its files: " +
                "download it and pass --data");
        var directory = options.SharedDir.TrimEnd('/') + "/attempts/" + package.Slug;
        if (files.Exists(directory))
            throw new SlurmException($"attempt folder {directory} already exists; kernel slugs must be unique");
        var input = directory + "/input";
        foreach (var folder in new[] { input, directory + "/working", directory + "/scratch", directory + "/kernel" })
            files.CreateDirectory(folder);
        var (kernel, runtime) = KernelFor(package);
        foreach (var file in Directory.EnumerateFiles(kernel))
            files.Upload(file, directory + "/kernel/" + Path.GetFileName(file));
        foreach (var source in package.Sources)
            files.Symlink(input + "/" + source.Mount, options.OnCluster(InputStager.Stage(files, options.SharedDir, source)));
        if (runtime is not null)
            files.Symlink(input + "/" + runtime.Value.Key, options.OnCluster(runtime.Value.Path));

        var session = package.SessionLimit < MaxSession ? package.SessionLimit : MaxSession;
        var limit = (int)Math.Min(Math.Ceiling((session + options.Grace).TotalMinutes), Math.Floor(options.TimeLimit.TotalMinutes));
        var remote = options.OnCluster(directory);
        var script = string.Join('\n',
            "#!/bin/sh",
            "# SteelCI attempt " + package.Slug,
            $"cd '{remote}' || exit 1",
            $"rm -f {ExitFile}",
            $"{options.Python} kernel/{package.CodeFile}",
            "code=$?",
            $"echo $code >{ExitFile}.tmp && mv {ExitFile}.tmp {ExitFile}",
            "exit $code",
            "");
        var id = await client.SubmitAsync(new SlurmSubmission(package.Slug, script, options.Partition, Math.Max(1, limit), remote,
            $"{remote}/{LogFile}", new Dictionary<string, string>
            {
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
                ["STEELCI_INPUT_ROOT"] = $"{remote}/input",
                ["STEELCI_WORKING_DIR"] = $"{remote}/working",
                ["STEELCI_SCRATCH_DIR"] = $"{remote}/scratch",
                ["STEELCI_SESSION_SECONDS"] = session.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
            })
        {
            Gres = package.Accelerator == "gpu" ? options.Gres : null,
            Account = options.Account,
            MemoryMb = options.MemoryGb * 1024,
        }, cancellationToken);
        return new AttemptHandle(package.Slug, new Dictionary<string, string>
        {
            ["job"] = id.ToString(CultureInfo.InvariantCulture),
            ["directory"] = directory,
        });
    }

    /// <summary>
    /// The kernel folder to upload: the package's spec with the cluster's device rules (<see cref="SlurmDevice"/>) and the
    /// launcher rendered from it, with the staged pinned runtime when a gpu stage has one; a package without a spec as it is.
    /// </summary>
    private (string Folder, (string Key, string Path)? Runtime) KernelFor(KernelPackage package)
    {
        if (!File.Exists(Path.Combine(package.Directory, Kernels.KernelSpec.FileName)))
            return (package.Directory, null);
        var spec = Kernels.KernelSpec.Read(package.Directory);
        (string Key, string Path)? runtime = null;
        if (spec.Accelerator == "gpu" && spec.Device.Libtorch is { } libtorch && ClusterRuntime.Find(files, options.SharedDir, libtorch) is { } staged)
            runtime = (ClusterRuntime.KeyFor(libtorch), staged);
        var folder = Path.Combine(options.LocalDir ?? Path.Combine(Path.GetTempPath(), "steelci-slurm"), package.Slug, "kernel");
        Kernels.KernelPackager.Write(folder, SlurmDevice.Apply(spec, options, runtime?.Key));
        return (folder, runtime);
    }

    public async Task<AttemptStatus> PollAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var job = await client.GetJobAsync(JobOf(handle), cancellationToken);
        if (job is not null)
            return SlurmStates.Map(job, options);
        // Gone from slurmctld's memory (MinJobAge passed): ended; what it left decides.
        var exit = files.ReadText(handle.Data["directory"] + "/" + ExitFile);
        if (exit is null)
            return new AttemptStatus(AttemptState.Lost, $"job {JobOf(handle)} is no longer known to Slurm and left no exit code (killed before the launcher ended)");
        var code = int.Parse(exit.Trim(), CultureInfo.InvariantCulture);
        return code == 0
            ? new AttemptStatus(AttemptState.Complete)
            : new AttemptStatus(AttemptState.Error, $"job {JobOf(handle)} ended with exit code {code} ({Contracts.TrainerContract.DescribeExit(code)})");
    }

    /// <summary>The attempt's working folder (here: itself when mounted, else copied under compute.slurm's local folder) and its log.</summary>
    public Task<CollectedOutput> CollectAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var directory = handle.Data["directory"];
        var local = Path.Combine(options.LocalDir ?? Path.Combine(Path.GetTempPath(), "steelci-slurm"), handle.Slug, "working");
        var working = files.BringHere(directory + "/working", local);
        return Task.FromResult(new CollectedOutput(working, files.ReadText(directory + "/" + LogFile) ?? ""));
    }

    /// <summary>A lost job's working folder (it survives scancel, preemption and node failure on the shared file system) when it holds a manifest.</summary>
    public Task<string?> LostOutputAsync(AttemptHandle handle, CancellationToken cancellationToken)
    {
        var working = handle.Data["directory"] + "/working";
        if (!files.Exists(working + "/" + Contracts.Manifest.FileName))
            return Task.FromResult<string?>(null);
        var local = Path.Combine(options.LocalDir ?? Path.Combine(Path.GetTempPath(), "steelci-slurm"), handle.Slug, "lost");
        return Task.FromResult<string?>(files.BringHere(working, local));
    }

    /// <summary>The job's standard output so far (log.txt in the attempt's folder), or null before the job wrote any.</summary>
    public string? ReadLog(AttemptHandle handle) => files.ReadText(handle.Data["directory"] + "/" + LogFile);

    public Task StopAsync(AttemptHandle handle, CancellationToken cancellationToken) => client.CancelAsync(JobOf(handle), cancellationToken);

    public static long JobOf(AttemptHandle handle) => long.Parse(handle.Data["job"], CultureInfo.InvariantCulture);
}
