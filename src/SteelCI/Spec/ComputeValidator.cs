using SteelCI.Contracts;
using System.Text.RegularExpressions;

namespace SteelCI.Spec;

/// <summary>
/// Checks the <c>compute:</c> section, each stage's <c>compute:</c> choice and the <c>schedule:</c> section; every error names the file, the line of
/// the offending key and the field.
/// </summary>
internal static partial class ComputeValidator
{
    public static void Validate(PipelineSpec spec, string yaml, string file)
    {
        var lines = yaml.Split('\n');

        // The line of `key:` at or after the mapping's start (the mapping's own line when the key is absent).
        SpecLocation Key(SpecNode node, string key)
        {
            var from = node.Start is { } start ? (int)start.Line - 1 : 0;
            var pattern = new Regex($@"^\s*(- )?['""]?{Regex.Escape(key)}['""]?\s*:|[{{,]\s*{Regex.Escape(key)}\s*:");
            for (var i = Math.Max(0, from); i < lines.Length; i++)
                if (pattern.IsMatch(lines[i]))
                    return new SpecLocation(file, i + 1, lines[i].IndexOf(key, StringComparison.Ordinal) + 1);
            return SpecLoader.At(file, node.Start);
        }

        if (spec.Schedule is { } schedule)
        {
            if (schedule.Profile is { } profile && !spec.Profiles.ContainsKey(profile))
                throw new SpecException(Key(schedule, "profile"), $"schedule.profile: '{profile}' is not a profile of this pipeline (defined: " +
                    $"{(spec.Profiles.Count == 0 ? "none" : string.Join(", ", spec.Profiles.Keys))}); leave the key out to train the base values");
            if (!ScheduleSpec.Cadences.Contains(schedule.EveryMinutes))
                throw new SpecException(Key(schedule, "every_minutes"),
                    $"schedule.every_minutes: {schedule.EveryMinutes} is not one of {string.Join(", ", ScheduleSpec.Cadences)} (a cron line keeps those exactly)");
        }

        var compute = spec.Compute ?? throw new SpecException(new SpecLocation(file, 1, 1),
            "'compute' has no value; write compute: with local:, kaggle: or slurm: subsections, or leave the key out");
        var used = spec.Stages.Values.Select(s => s.Compute).OfType<string>().Append(spec.Backend).ToHashSet();
        foreach (var (name, stage) in spec.Stages)
        {
            if (stage.Compute is { } choice && !SpecValidator.Backends.Contains(choice) && choice != Pipeline.AnyBackend)
                throw new SpecException(Key(stage, "compute"),
                    $"stage '{name}': compute '{choice}' is not one of: {string.Join(", ", SpecValidator.Backends)}, {Pipeline.AnyBackend}");
            if (stage.Compute == Pipeline.AnyBackend && stage.Accelerator != "gpu")
                throw new SpecException(Key(stage, "compute"),
                    $"stage '{name}': compute any lets the placer choose between Kaggle and the cluster for a GPU stage; this stage has accelerator: " +
                    $"{stage.Accelerator}. Name its place (compute: kaggle, slurm or local) or set accelerator: gpu");
        }
        if (spec.Stages.Any(s => s.Value.Compute == Pipeline.AnyBackend))
            used.Add("slurm");

        if (compute.Local is { } local && local.Slots is < 1)
            throw new SpecException(Key(local, "slots"), "compute.local.slots must be at least 1");
        if (compute.Kaggle is { } kaggle)
            CheckKaggle(kaggle, Key, file);

        if (compute.Slurm is null)
        {
            if (used.Contains("slurm"))
            {
                var user = spec.Stages.FirstOrDefault(s => s.Value.Compute is "slurm" or Pipeline.AnyBackend);
                var at = user.Value is null ? SpecLoader.At(file, spec.Start) : Key(user.Value, "compute");
                throw new SpecException(at, (user.Value is null ? "backend slurm" : $"stage '{user.Key}' runs on {(user.Value.Compute == Pipeline.AnyBackend ? "kaggle or slurm (compute: any)" : "slurm")}") +
                    ", but the pipeline has no compute.slurm section (rest_url, user, partition, shared_dir; see docs/compute.md)");
            }
            return;
        }
        CheckSlurm(compute.Slurm, Key);
    }

    private static void CheckKaggle(KaggleComputeSpec kaggle, Func<SpecNode, string, SpecLocation> key, string file)
    {
        const int cap = PlatformRules.GpuSessionsPerAccount;
        if (kaggle.SessionsPerAccount is < 1 or > cap)
            throw new SpecException(key(kaggle, "sessions_per_account"),
                $"compute.kaggle.sessions_per_account: {kaggle.SessionsPerAccount} is not between 1 and {cap} (Kaggle runs at most {cap} GPU sessions per account)");
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var account in kaggle.Accounts)
        {
            if (account is null)
                throw new SpecException(key(kaggle, "accounts"), "compute.kaggle.accounts: an entry is empty; write a name, or - name: ... with its settings");
            var at = SpecLoader.At(file, account.Start);
            if (string.IsNullOrEmpty(account.Name))
                throw new SpecException(at, "compute.kaggle.accounts: an account needs a name (name: alice)");
            if (!AccountName().IsMatch(account.Name))
                throw new SpecException(account.ShortForm ? at : key(account, "name"),
                    $"compute.kaggle.accounts: '{Shorten(account.Name)}' is not an account name (letters, digits, '-' and '_'); tokens come from KAGGLE_API_TOKEN_<NAME>, never from this file");
            var secret = KaggleAccountSpec.TokenSecretOf(account.Name);
            if (!secrets.TryAdd(secret, account.Name))
                throw new SpecException(at, $"compute.kaggle.accounts: '{account.Name}' and '{secrets[secret]}' would share the secret {secret}; name each account once");
            string Field(string field) => $"compute.kaggle.accounts[{account.Name}].{field}";
            var weekly = PlatformRules.WeeklyGpuQuota.TotalHours;
            if (account.ReserveHours is { } reserve && (double.IsNaN(reserve) || reserve < 0 || reserve >= weekly))
                throw new SpecException(key(account, "reserve_hours"),
                    $"{Field("reserve_hours")}: {reserve} must be at least 0 and less than {weekly} (the owner's GPU hours per week that SteelCI leaves free; " +
                    $"Kaggle gives {weekly} h){(reserve >= weekly ? "; to leave the owner the whole week, set enabled: false" : "")}");
            if (account.Sessions is < 1 or > cap)
                throw new SpecException(key(account, "sessions"), $"{Field("sessions")}: {account.Sessions} is not between 1 and {cap}");
        }
    }

    private static void CheckSlurm(SlurmComputeSpec slurm, Func<SpecNode, string, SpecLocation> key)
    {
        SpecException Error(string field, string message) => new(key(slurm, field), $"compute.slurm.{field}: {message}");

        if (slurm.RestUrl is null && slurm.SshHost is null)
            throw new SpecException(key(slurm, "slurm"), "compute.slurm needs rest_url (slurmrestd) or ssh_host (a login node)");
        if (slurm.RestUrl is not null && slurm.SshHost is not null)
            throw Error("ssh_host", "give rest_url or ssh_host, not both");
        if (slurm.RestUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw Error("rest_url", $"'{url}' is not an http(s) URL such as http://login.cluster:6820");
        if (slurm.RestUrl is { } withSecret && Uri.TryCreate(withSecret, UriKind.Absolute, out var parsed) && parsed.UserInfo.Length > 0)
            throw Error("rest_url", "holds user information; put the token in the environment variable named by token_env");
        if (slurm.SshHost is { } host && !SshHost().IsMatch(host))
            throw Error("ssh_host", $"'{Shorten(host)}' is not user@host or user@host:port (the login node; the key goes in ssh_key or ssh_key_env)");
        if (slurm.SshHost is not null && slurm.User is { } sshUser && !slurm.SshHost.StartsWith(sshUser + "@", StringComparison.Ordinal))
            throw Error("user", $"'{sshUser}' differs from the user of ssh_host; leave user out on the SSH route");
        if (slurm.SshHost is null && (slurm.SshKey ?? slurm.SshKeyEnv ?? slurm.SshPassphraseEnv ?? slurm.KnownHosts) is not null)
            throw Error(slurm.SshKey is not null ? "ssh_key" : slurm.SshKeyEnv is not null ? "ssh_key_env" : slurm.SshPassphraseEnv is not null ? "ssh_passphrase_env" : "known_hosts",
                "is for the SSH route; set ssh_host too (or drop it)");
        if (slurm.SshKey is not null && slurm.SshKeyEnv is not null)
            throw Error("ssh_key_env", "give ssh_key (a file) or ssh_key_env (a variable holding the key), not both");
        if (slurm.SshKey is { } keyFile && (keyFile.Contains("PRIVATE KEY", StringComparison.Ordinal) || !(keyFile.StartsWith('/') || keyFile.StartsWith("~/", StringComparison.Ordinal))))
            throw Error("ssh_key", $"'{Shorten(keyFile)}' must be the path of the key file (absolute or ~/...), never the key itself");
        foreach (var (field, name) in new[] { ("ssh_key_env", slurm.SshKeyEnv), ("ssh_passphrase_env", slurm.SshPassphraseEnv) })
            if (name is not null && !EnvName().IsMatch(name))
                throw Error(field, $"'{Shorten(name)}' is not an environment variable name; the key or passphrase itself never goes into this file");
        if (slurm.KnownHosts is { } known && !(known.StartsWith('/') || known.StartsWith("~/", StringComparison.Ordinal)))
            throw Error("known_hosts", $"'{known}' must be an absolute path (or ~/...) of an OpenSSH known_hosts file");
        if (slurm.SshHost is null && string.IsNullOrWhiteSpace(slurm.User))
            throw Error("user", "name the cluster user (the account you log in with)");
        if (!EnvName().IsMatch(slurm.TokenEnv ?? ""))
            throw Error("token_env", $"'{Shorten(slurm.TokenEnv)}' is not an environment variable name; the token itself never goes into this file");
        if (string.IsNullOrWhiteSpace(slurm.Partition))
            throw Error("partition", "name the partition to submit to (sinfo lists them)");
        if (slurm.Gres is { } gres && !Gres().IsMatch(gres))
            throw Error("gres", $"'{gres}' is not a gres such as gpu:1 or gpu:a100:2");
        if (slurm.TimeLimitMinutes is <= 0 or double.NaN)
            throw Error("time_limit_minutes", "must be positive (the partition's limit: sinfo -o %l)");
        if (slurm.Account is { } account && string.IsNullOrWhiteSpace(account))
            throw Error("account", "is empty; name a Slurm account or leave the key out");
        if (slurm.MemoryGb is < 1)
            throw Error("memory_gb", "must be at least 1 (GB per job), or leave the key out for the partition's default");
        if (slurm.JobLimit < 1)
            throw Error("job_limit", "must be at least 1");
        if (slurm.Speed is <= 0 or double.NaN or double.PositiveInfinity)
            throw Error("speed", $"{slurm.Speed} is not a positive number (a cluster GPU's speed relative to a Kaggle GPU; default 1)");
        if (string.IsNullOrWhiteSpace(slurm.SharedDir) || !Path.IsPathRooted(slurm.SharedDir))
            throw Error("shared_dir", $"'{slurm.SharedDir}' must be an absolute folder on the cluster's shared file system");
        if (slurm.ClusterDir is { } clusterDir && !clusterDir.StartsWith('/'))
            throw Error("cluster_dir", $"'{clusterDir}' must be an absolute path as the compute nodes see it");
        if (string.IsNullOrWhiteSpace(slurm.Python))
            throw Error("python", "name the Python of the compute nodes (python3)");
        if (slurm.Libtorch is { } libtorch && !libtorch.StartsWith('/'))
            throw Error("libtorch", $"'{Shorten(libtorch)}' must be an absolute path as the compute nodes see it: a libtorch folder " +
                "(holding build-version and lib/) or a Python executable whose torch is the version TorchSharp binds");
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length > 12 ? value[..6] + "…" : value;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9_-]+(:[A-Za-z0-9_.-]+)*(:[0-9]+)?(,[A-Za-z0-9_-]+(:[A-Za-z0-9_.-]+)*(:[0-9]+)?)*$")]
    private static partial Regex Gres();

    [GeneratedRegex("^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?$")]
    private static partial Regex SshHost();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AccountName();
}
