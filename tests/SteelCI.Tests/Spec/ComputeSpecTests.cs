using SteelCI.Spec;

namespace SteelCI.Tests.Spec;

/// <summary>steelci.yml's compute: section (docs/compute.md): what it accepts, and the file:line:field of what it refuses.</summary>
public sealed class ComputeSpecTests
{
    private const string File = "/work/steelci.yml";

    private static string Pipeline(string compute, string trainCompute = "slurm") => $"""
        version: 1
        name: demo
        trainer:
          project: trainer/Demo.csproj
        backend: kaggle
        {compute}
        stages:
          eda:
            entry: eda
          train:
            entry: fit
            compute: {trainCompute}
            inputs: [eda]
        """;

    private const string Slurm = """
        compute:
          kaggle:
            accounts: [alice, bob]
          slurm:
            rest_url: http://login.cluster:6820
            user: alice
            token_env: CLUSTER_JWT
            partition: gpu
            gres: gpu:a100:1
            time_limit_minutes: 1440
            account: lab
            memory_gb: 32
            job_limit: 2
            shared_dir: /mnt/cluster/alice/steelci
            cluster_dir: /home/alice/steelci
        """;

    [Fact]
    public void A_mixed_pipeline_reads_its_compute_section_and_each_stage_s_choice()
    {
        var spec = SpecLoader.Parse(Pipeline(Slurm), File);
        var slurm = spec.Compute.Slurm!;
        Assert.Equal(("http://login.cluster:6820", "alice", "CLUSTER_JWT", "gpu", "gpu:a100:1"), (slurm.RestUrl, slurm.User, slurm.TokenEnv, slurm.Partition, slurm.Gres));
        Assert.Equal((1440.0, "lab", 32, 2), (slurm.TimeLimitMinutes, slurm.Account, slurm.MemoryGb, slurm.JobLimit));
        Assert.Equal(["alice", "bob"], spec.Compute.Kaggle!.Accounts.Select(a => a.Name));
        Assert.Equal(((string?)null, false), (slurm.Libtorch, slurm.CpuFallback)); // GPUs on the cluster: the ladder's defaults
        var gpu = SpecLoader.Parse(Pipeline(Slurm + "\n    libtorch: /sw/libtorch-2.10.0-cu128\n    cpu_fallback: true"), File).Compute.Slurm!;
        Assert.Equal(("/sw/libtorch-2.10.0-cu128", true), (gpu.Libtorch, gpu.CpuFallback));
        var pipeline = PipelineResolver.Resolve(spec, File, new PipelineOptions());
        Assert.Equal("kaggle", pipeline.BackendOf(pipeline.Node("eda")));
        Assert.Equal("slurm", pipeline.BackendOf(pipeline.Node("train")));
    }

    [Theory]
    [InlineData("rest_url: http://login.cluster:6820", "rest_url: login.cluster", 10, "compute.slurm.rest_url: 'login.cluster' is not an http(s) URL")]
    [InlineData("token_env: CLUSTER_JWT", "token_env: eyJhbGciOiJIUzI1NiJ9.e30.x", 12, "compute.slurm.token_env: 'eyJhbG…' is not an environment variable name")]
    [InlineData("partition: gpu", "partition: \"\"", 13, "compute.slurm.partition: name the partition")]
    [InlineData("gres: gpu:a100:1", "gres: two gpus", 14, "compute.slurm.gres: 'two gpus' is not a gres")]
    [InlineData("time_limit_minutes: 1440", "time_limit_minutes: 0", 15, "compute.slurm.time_limit_minutes: must be positive")]
    [InlineData("memory_gb: 32", "memory_gb: 0", 17, "compute.slurm.memory_gb: must be at least 1")]
    [InlineData("job_limit: 2", "job_limit: 0", 18, "compute.slurm.job_limit: must be at least 1")]
    [InlineData("job_limit: 2", "speed: 0", 18, "compute.slurm.speed: 0 is not a positive number")]
    [InlineData("shared_dir: /mnt/cluster/alice/steelci", "shared_dir: steelci", 19, "compute.slurm.shared_dir: 'steelci' must be an absolute folder")]
    [InlineData("rest_url: http://login.cluster:6820", "rest_url: http://alice:secret@login.cluster:6820", 10, "compute.slurm.rest_url: holds user information")]
    [InlineData("rest_url: http://login.cluster:6820", "ssh_host: login", 10, "compute.slurm.ssh_host: 'login' is not user@host or user@host:port")]
    [InlineData("rest_url: http://login.cluster:6820", "ssh_host: bob@login.cluster:2222", 11, "compute.slurm.user: 'alice' differs from the user of ssh_host")]
    [InlineData("job_limit: 2", "libtorch: libtorch-2.10.0", 18, "compute.slurm.libtorch: 'libtor…' must be an absolute path as the compute nodes see it")]
    [InlineData("job_limit: 2", "known_hosts: /home/alice/.ssh/known_hosts", 18, "compute.slurm.known_hosts: is for the SSH route; set ssh_host too")]
    [InlineData("rest_url: http://login.cluster:6820", "ssh_host: alice@login.cluster\n    ssh_key: \"-----BEGIN OPENSSH PRIVATE KEY----- secret\"", 11, "compute.slurm.ssh_key: '-----B…' must be the path of the key file")]
    [InlineData("rest_url: http://login.cluster:6820", "ssh_host: alice@login.cluster\n    ssh_key_env: \"b3BlbnNzaC1rZXktdjE secret\"", 11, "compute.slurm.ssh_key_env: 'b3Blbn…' is not an environment variable name")]
    public void A_bad_slurm_field_is_refused_with_its_line_and_field(string good, string bad, int line, string message)
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline(Slurm.Replace(good, bad)), File));
        Assert.Contains(message, error.Message);
        Assert.Equal(line, error.Location.Line);
        Assert.Equal(File, error.Location.File);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void The_ssh_route_reads_the_login_node_the_key_and_known_hosts()
    {
        var spec = SpecLoader.Parse(Pipeline(Slurm.Replace("rest_url: http://login.cluster:6820",
            "ssh_host: alice@login.cluster:2222\n    ssh_key_env: CLUSTER_SSH_KEY\n    ssh_passphrase_env: CLUSTER_SSH_PASS\n    known_hosts: ~/.ssh/cluster_hosts")), File);
        var slurm = spec.Compute.Slurm!;
        Assert.Equal(("alice@login.cluster:2222", "CLUSTER_SSH_KEY", "CLUSTER_SSH_PASS", "~/.ssh/cluster_hosts", (string?)null),
            (slurm.SshHost, slurm.SshKeyEnv, slurm.SshPassphraseEnv, slurm.KnownHosts, slurm.RestUrl));
    }

    [Fact]
    public void A_stage_on_an_unknown_backend_is_refused_at_its_compute_key()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline(Slurm, trainCompute: "cloud"), File));
        Assert.Contains("stage 'train': compute 'cloud' is not one of: local, kaggle, slurm", error.Message);
        Assert.Equal(26, error.Location.Line);
    }

    private static string AnyStage(string compute, string accelerator = "gpu") => Pipeline(compute, trainCompute: "any")
        .Replace("    compute: any\n", $"    compute: any\n    accelerator: {accelerator}\n");

    [Fact]
    public void A_gpu_stage_on_compute_any_may_run_on_kaggle_or_the_cluster_at_the_clusters_speed()
    {
        var spec = SpecLoader.Parse(AnyStage(Slurm.Replace("job_limit: 2", "job_limit: 2\n    speed: 1.5")), File);
        var pipeline = PipelineResolver.Resolve(spec, File, new PipelineOptions());

        Assert.Equal("any", pipeline.BackendOf(pipeline.Node("train")));
        Assert.Equal(["kaggle", "slurm"], pipeline.BackendsOf(pipeline.Node("train")));
        Assert.Equal(["kaggle"], pipeline.BackendsOf(pipeline.Node("eda")));
        Assert.Equal(1.5, spec.Compute.Slurm!.Speed);
    }

    [Fact]
    public void Compute_any_is_refused_on_a_cpu_stage_and_without_a_slurm_section()
    {
        var cpu = Assert.Throws<SpecException>(() => SpecLoader.Parse(AnyStage(Slurm, accelerator: "cpu"), File));
        Assert.Contains("stage 'train': compute any lets the placer choose between Kaggle and the cluster for a GPU stage; this stage has accelerator: cpu", cpu.Message);
        Assert.Equal(26, cpu.Location.Line);

        var noCluster = Assert.Throws<SpecException>(() => SpecLoader.Parse(AnyStage("compute:\n  local: { slots: 2 }"), File));
        Assert.Contains("stage 'train' runs on kaggle or slurm (compute: any), but the pipeline has no compute.slurm section", noCluster.Message);
        Assert.Equal(13, noCluster.Location.Line);
    }

    [Fact]
    public void A_stage_on_slurm_without_a_slurm_section_is_refused()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline("compute:\n  local: { slots: 2 }"), File));
        Assert.Contains("stage 'train' runs on slurm, but the pipeline has no compute.slurm section", error.Message);
        Assert.Equal(13, error.Location.Line);
    }

    [Fact]
    public void An_unknown_key_in_the_slurm_section_lists_the_allowed_ones()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline(Slurm.Replace("job_limit: 2", "token: abc")), File));
        Assert.Contains("unknown key 'token' in compute.slurm; allowed: rest_url, ssh_host, ssh_key, ssh_key_env, ssh_passphrase_env, known_hosts, user, token_env", error.Message);
        Assert.Equal(18, error.Location.Line);
    }

    [Fact]
    public void A_kaggle_account_that_looks_like_a_token_is_refused()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline(Slurm.Replace("[alice, bob]", "[\"KGAT_0123:abc\"]")), File));
        Assert.Contains("compute.kaggle.accounts: 'KGAT_0…' is not an account name", error.Message);
        Assert.DoesNotContain("KGAT_0123:abc", error.Message);
        Assert.Equal(8, error.Location.Line);
    }

    private const string Team = """
        compute:
          kaggle:
            sessions_per_account: 1
            accounts:
              - alice
              - name: bob-2
                reserve_hours: 6
                sessions: 2
              - name: carol
                enabled: false
        """;

    [Fact]
    public void Kaggle_accounts_read_in_short_and_long_form_with_their_secret_names()
    {
        var kaggle = SpecLoader.Parse(Pipeline(Team, trainCompute: "kaggle"), File).Compute.Kaggle!;

        Assert.Equal(1, kaggle.SessionsPerAccount);
        Assert.Equal(["alice", "bob-2", "carol"], kaggle.Accounts.Select(a => a.Name));
        Assert.Equal([null, 6.0, null], kaggle.Accounts.Select(a => a.ReserveHours));
        Assert.Equal([null, 2, null], kaggle.Accounts.Select(a => a.Sessions));
        Assert.Equal([true, true, false], kaggle.Accounts.Select(a => a.Enabled));
        Assert.Equal(["KAGGLE_API_TOKEN_ALICE", "KAGGLE_API_TOKEN_BOB_2", "KAGGLE_API_TOKEN_CAROL"],
            kaggle.Accounts.Select(a => KaggleAccountSpec.TokenSecretOf(a.Name)));
    }

    [Theory]
    [InlineData("- alice", "- KGAT_0123:abc", 10, 9, "compute.kaggle.accounts: 'KGAT_0…' is not an account name")]
    [InlineData("name: bob-2", "name: \"bob 2\"", 11, 9, "compute.kaggle.accounts: 'bob 2' is not an account name")]
    [InlineData("reserve_hours: 6", "reserve_hours: 30", 12, 9, "compute.kaggle.accounts[bob-2].reserve_hours: 30 must be at least 0 and less than 30 (the owner's GPU hours per week that SteelCI leaves free; Kaggle gives 30 h); to leave the owner the whole week, set enabled: false")]
    [InlineData("reserve_hours: 6", "reserve_hours: -1", 12, 9, "compute.kaggle.accounts[bob-2].reserve_hours: -1 must be at least 0 and less than 30")]
    [InlineData("sessions: 2", "sessions: 3", 13, 9, "compute.kaggle.accounts[bob-2].sessions: 3 is not between 1 and 2")]
    [InlineData("sessions: 2", "sessions: 0", 13, 9, "compute.kaggle.accounts[bob-2].sessions: 0 is not between 1 and 2")]
    [InlineData("sessions_per_account: 1", "sessions_per_account: 4", 8, 5, "compute.kaggle.sessions_per_account: 4 is not between 1 and 2")]
    [InlineData("name: carol", "name: Alice", 14, 9, "'Alice' and 'alice' would share the secret KAGGLE_API_TOKEN_ALICE")]
    [InlineData("enabled: false", "enabled: maybe", 15, 18, "'maybe' is not true or false")]
    [InlineData("sessions: 2", "session: 2", 13, 9, "unknown key 'session' in a compute.kaggle account; allowed: name, reserve_hours, sessions, enabled")]
    public void A_bad_kaggle_account_is_refused_at_its_line_and_column(string good, string bad, int line, int column, string message)
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(Pipeline(Team.Replace(good, bad), trainCompute: "kaggle"), File));

        Assert.Contains(message, error.Message);
        Assert.Equal((File, line, column), (error.Location.File, error.Location.Line, error.Location.Column));
        Assert.DoesNotContain("0123:abc", error.Message);
    }

    [Fact]
    public void The_schedule_names_a_defined_profile_and_a_cadence_a_cron_line_keeps()
    {
        var withProfile = Pipeline("schedule:\n  profile: small\n  every_minutes: 60\nprofiles:\n  small:\n    stages: { train: { epochs: 1 } }", "kaggle");
        var schedule = SpecLoader.Parse(withProfile, File).Schedule!;
        Assert.Equal(("small", 60), (schedule.Profile, schedule.EveryMinutes));

        var unknown = Assert.Throws<SpecException>(() => SpecLoader.Parse(withProfile.Replace("profile: small", "profile: demo"), File));
        Assert.Contains("schedule.profile: 'demo' is not a profile of this pipeline (defined: small)", unknown.Message);
        Assert.Equal((7, 3), (unknown.Location.Line, unknown.Location.Column));
        var cadence = Assert.Throws<SpecException>(() => SpecLoader.Parse(withProfile.Replace("every_minutes: 60", "every_minutes: 7"), File));
        Assert.Contains("schedule.every_minutes: 7 is not one of 5, 10, 15, 20, 30, 60", cadence.Message);
        Assert.Equal(8, cadence.Location.Line);
    }
}
