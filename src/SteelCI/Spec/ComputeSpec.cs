namespace SteelCI.Spec;

/// <summary>
/// Where stages may run and how each place is reached (the <c>compute:</c> section of steelci.yml, docs/compute.md).
/// Each subsection configures one backend; a stage picks one with its own <c>compute:</c> key, else the pipeline's
/// <c>backend</c>. Secrets are never written here, only the names of the environment variables that hold them.
/// </summary>
public sealed class ComputeSpec : SpecNode
{
    public LocalComputeSpec? Local { get; set; }
    public KaggleComputeSpec? Kaggle { get; set; }
    public SlurmComputeSpec? Slurm { get; set; }
}

public sealed class LocalComputeSpec : SpecNode
{
    /// <summary>Stages that run at once on this machine (default: one per core).</summary>
    public int? Slots { get; set; }
}

/// <summary>
/// The team's Kaggle accounts (docs/compute.md): each a name (short form) or a mapping with the owner's reserve, the
/// sessions SteelCI may hold and whether placement uses it. Tokens come from <c>KAGGLE_API_TOKEN_{NAME}</c>
/// (<see cref="KaggleAccountSpec.TokenSecretOf"/>), never from this file.
/// </summary>
public sealed class KaggleComputeSpec : SpecNode
{
    public List<KaggleAccountSpec> Accounts { get; set; } = new();
    /// <summary>GPU sessions SteelCI may hold at once on an account that does not say (Kaggle allows 2).</summary>
    public int? SessionsPerAccount { get; set; }
}

/// <summary>One lent Kaggle account: <c>- alice</c>, or <c>- name: bob</c> with <c>reserve_hours</c>, <c>sessions</c>, <c>enabled</c>.</summary>
public sealed class KaggleAccountSpec : SpecNode
{
    public string Name { get; set; } = "";
    /// <summary>The owner's own GPU hours per week that SteelCI leaves free (default 0).</summary>
    public double? ReserveHours { get; set; }
    /// <summary>GPU sessions SteelCI may hold at once here (1..2; default: sessions_per_account).</summary>
    public int? Sessions { get; set; }
    /// <summary>False: placement skips the account; status still shows it and its running attempts are still followed.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Written as a plain name (<c>- alice</c>): its start is the name itself.</summary>
    internal bool ShortForm { get; init; }

    /// <summary>The secret (environment variable) that holds account <paramref name="name"/>'s API token: KAGGLE_API_TOKEN_ + the name in upper case, '-' as '_'.</summary>
    public static string TokenSecretOf(string name) =>
        "KAGGLE_API_TOKEN_" + new string(name.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
}

/// <summary>One Slurm cluster, reached through slurmrestd (<see cref="RestUrl"/>) or SSH to a login node (<see cref="SshHost"/>).</summary>
public sealed class SlurmComputeSpec : SpecNode
{
    /// <summary>slurmrestd's base URL, e.g. http://login.cluster:6820 (the API version is read from /openapi/v3).</summary>
    public string? RestUrl { get; set; }
    /// <summary>A login node for the SSH route (user@host[:port]): sbatch/scontrol/scancel over SSH, files by SFTP.</summary>
    public string? SshHost { get; set; }
    /// <summary>SSH: the private key file (default ~/.ssh/id_ed25519); its .pub is in the cluster user's authorized_keys.</summary>
    public string? SshKey { get; set; }
    /// <summary>SSH: instead of a file, the environment variable holding the private key's text (a CI secret).</summary>
    public string? SshKeyEnv { get; set; }
    /// <summary>SSH: the environment variable holding the key's passphrase, if it has one.</summary>
    public string? SshPassphraseEnv { get; set; }
    /// <summary>SSH: the known_hosts file that must list the login node's host key (default ~/.ssh/known_hosts).</summary>
    public string? KnownHosts { get; set; }
    /// <summary>The cluster user name (REST: X-SLURM-USER-NAME; SSH: the user of ssh_host).</summary>
    public string? User { get; set; }
    /// <summary>The environment variable that holds the JWT (scontrol token), default SLURM_JWT.</summary>
    public string TokenEnv { get; set; } = "SLURM_JWT";
    public string Partition { get; set; } = "";
    /// <summary>Generic resources of a gpu stage, e.g. gpu:1 or gpu:a100:1 (cpu stages ask for none).</summary>
    public string? Gres { get; set; }
    /// <summary>The partition's (or your QOS's) wall-clock limit; a longer stage checkpoints and resumes in a new job.</summary>
    public double TimeLimitMinutes { get; set; } = 60;
    /// <summary>Memory per job in GB (sbatch --mem); raise it when a job ends OUT_OF_MEMORY. Default: the partition's.</summary>
    public int? MemoryGb { get; set; }
    /// <summary>The Slurm account to charge (sbatch --account); optional.</summary>
    public string? Account { get; set; }
    /// <summary>Jobs SteelCI keeps in the cluster at once (your QOS's job limit, or less).</summary>
    public int JobLimit { get; set; } = 1;
    /// <summary>A cluster GPU's speed relative to a Kaggle GPU (2: an epoch takes half as long), for placing compute: any stages. Default 1.</summary>
    public double Speed { get; set; } = 1;
    /// <summary>A folder on the cluster's shared file system, as this machine sees it (REST: mounted here).</summary>
    public string SharedDir { get; set; } = "";
    /// <summary>The same folder as the compute nodes see it, when it is mounted elsewhere there (default: shared_dir).</summary>
    public string? ClusterDir { get; set; }
    /// <summary>The Python that runs the launcher on a compute node (default python3).</summary>
    public string Python { get; set; } = "python3";
    /// <summary>A CUDA libtorch of the version TorchSharp binds on the cluster, as the compute nodes see it: a libtorch
    /// folder (build-version, lib/; e.g. an environment module's) or a Python executable whose torch has that version.
    /// Rung (a) of the launcher's device ladder (docs/compute.md, "GPUs on the cluster").</summary>
    public string? Libtorch { get; set; }
    /// <summary>Whether a gpu stage may run on the CPU when no CUDA libtorch serves (rung c); false: it fails naming the versions (rung d).</summary>
    public bool CpuFallback { get; set; }
}
