using SteelCI.Slurm.Ssh;
using SteelCI.Spec;

namespace SteelCI.Slurm;

/// <summary>One cluster as steelci.yml's compute.slurm describes it (docs/compute.md).</summary>
public sealed record SlurmOptions
{
    /// <summary>slurmrestd's base URL (the REST route), or null for the SSH route (<see cref="Ssh"/>).</summary>
    public Uri? RestUrl { get; init; }
    /// <summary>The login node and how to log in (the SSH route).</summary>
    public SshSettings? Ssh { get; init; }
    public required string User { get; init; }
    /// <summary>The environment variable that holds the JWT; its value is read per request and never logged.</summary>
    public string TokenEnv { get; init; } = "SLURM_JWT";
    public required string Partition { get; init; }
    public string? Gres { get; init; }
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromHours(1);
    public string? Account { get; init; }
    public int? MemoryGb { get; init; }
    public int JobLimit { get; init; } = 1;
    /// <summary>The shared folder as this machine sees it (REST: mounted here; SSH: as the login node sees it).</summary>
    public required string SharedDir { get; init; }
    /// <summary>The same folder as the compute nodes see it.</summary>
    public string? ClusterDir { get; init; }
    public string Python { get; init; } = "python3";
    /// <summary>Extra minutes Slurm's own limit allows past the trainer's deadline, so the trainer ends first.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A CUDA libtorch on the cluster (a libtorch folder or a Python executable), as the nodes see it: rung (a).</summary>
    public string? Libtorch { get; init; }
    /// <summary>Whether a gpu stage may run on the CPU when no CUDA libtorch serves (rung c), else it fails (rung d).</summary>
    public bool CpuFallback { get; init; }

    /// <summary>Where the SSH route copies a finished job's outputs on this machine before they are verified.</summary>
    public string? LocalDir { get; init; }

    public static SlurmOptions From(SlurmComputeSpec spec, Func<string, string?> environment) => new()
    {
        RestUrl = spec.RestUrl is null ? null : new Uri(spec.RestUrl.TrimEnd('/') + "/"),
        Ssh = spec.SshHost is null ? null : SshFrom(spec, environment),
        User = spec.SshHost is not null && SshTarget.TryParse(spec.SshHost, out var target) ? target.User : spec.User!,
        TokenEnv = spec.TokenEnv,
        Partition = spec.Partition,
        Gres = spec.Gres,
        TimeLimit = TimeSpan.FromMinutes(spec.TimeLimitMinutes),
        Account = spec.Account,
        MemoryGb = spec.MemoryGb,
        JobLimit = spec.JobLimit,
        SharedDir = spec.SharedDir,
        ClusterDir = spec.ClusterDir,
        Python = spec.Python,
        Libtorch = spec.Libtorch,
        CpuFallback = spec.CpuFallback,
    };

    private static SshSettings SshFrom(SlurmComputeSpec spec, Func<string, string?> environment)
    {
        if (!SshTarget.TryParse(spec.SshHost, out var target))
            throw new SlurmException($"compute.slurm.ssh_host: '{spec.SshHost}' is not user@host[:port]");
        return new SshSettings
        {
            Target = target,
            KeyEnv = spec.SshKeyEnv,
            KeyFile = spec.SshKeyEnv is null ? SshSettings.Expand(spec.SshKey ?? "~/.ssh/id_ed25519", environment) : null,
            PassphraseEnv = spec.SshPassphraseEnv,
            KnownHostsFile = SshSettings.Expand(spec.KnownHosts ?? "~/.ssh/known_hosts", environment),
        };
    }

    /// <summary>A path under <see cref="SharedDir"/> as the compute nodes see it.</summary>
    public string OnCluster(string localPath)
    {
        if (ClusterDir is null)
            return localPath;
        var relative = Path.GetRelativePath(SharedDir, localPath);
        return ClusterDir.TrimEnd('/') + "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
