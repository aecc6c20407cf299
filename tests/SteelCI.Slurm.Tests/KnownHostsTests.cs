using System.Security.Cryptography;
using System.Text;
using SteelCI.Slurm.Ssh;

namespace SteelCI.Slurm.Tests;

/// <summary>known_hosts lines as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes them, and the SSH route's small parsers.</summary>
public sealed class KnownHostsTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(51);
    private static readonly byte[] Other = RandomNumberGenerator.GetBytes(51);
    private static string B64(byte[] key) => Convert.ToBase64String(key);

    [Fact]
    public void A_listed_key_is_trusted_under_its_port_form_and_in_a_name_list()
    {
        Assert.Equal(KnownHosts.Verdict.Trusted, KnownHosts.Verify($"login,[login]:2222 ssh-ed25519 {B64(Key)}\n", "[login]:2222", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Unknown, KnownHosts.Verify($"login ssh-ed25519 {B64(Key)}\n", "[login]:2222", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Unknown, KnownHosts.Verify(null, "login", Key).Verdict);
    }

    [Fact]
    public void A_hashed_name_matches_by_its_HMAC()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[login]:2222"));
        var line = $"|1|{B64(salt)}|{B64(hash)} ssh-ed25519 {B64(Key)}";
        Assert.Equal(KnownHosts.Verdict.Trusted, KnownHosts.Verify(line, "[login]:2222", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Unknown, KnownHosts.Verify(line, "login", Key).Verdict);
    }

    [Fact]
    public void Another_key_of_any_type_is_a_change_as_OpenSSH_reads_it_and_a_revoked_one_is_refused()
    {
        // openssh-portable hostfile.c check_hostkeys_by_key_or_type: "If no key matches but a key with a different
        // type is found, then return HOST_CHANGED"; only a host with no key at all is HOST_NEW (unknown).
        var changed = KnownHosts.Verify($"# old\nlogin ssh-ed25519 {B64(Other)}\n", "login", Key);
        Assert.Equal((KnownHosts.Verdict.Changed, 2, KnownHosts.Fingerprint(Other), "ssh-ed25519"), (changed.Verdict, changed.Line, changed.KnownFingerprint, changed.KnownType));
        var otherType = KnownHosts.Verify($"login ssh-rsa {B64(Other)}\n", "login", Key);
        Assert.Equal((KnownHosts.Verdict.Changed, 1, "ssh-rsa"), (otherType.Verdict, otherType.Line, otherType.KnownType));
        Assert.Equal(KnownHosts.Verdict.Trusted, KnownHosts.Verify($"login ssh-rsa {B64(Other)}\nlogin ssh-ed25519 {B64(Key)}\n", "login", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Unknown, KnownHosts.Verify($"other ssh-rsa {B64(Other)}\n", "login", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Revoked, KnownHosts.Verify($"@revoked login ssh-ed25519 {B64(Key)}\nlogin ssh-ed25519 {B64(Key)}\n", "login", Key).Verdict);
        Assert.Equal(KnownHosts.Verdict.Revoked, KnownHosts.Verify($"login ssh-ed25519 {B64(Key)}\n@revoked login ssh-ed25519 {B64(Key)}\n", "login", Key).Verdict);
    }

    private static readonly string[] SshNetOrder =
        ["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];

    [Fact]
    public void The_known_key_types_are_asked_for_first_as_ssh_orders_its_host_key_algorithms()
    {
        // sshconnect2.c order_hostkeyalgs: the list as it is when its first algorithm's type is known, else known types first.
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "ecdsa-sha2-nistp256"],
            KnownHosts.Preferred(SshNetOrder, ["ssh-rsa"]));
        Assert.Equal(["ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            KnownHosts.Preferred(SshNetOrder, ["ssh-ed25519"]));
        Assert.Equal(SshNetOrder[1..], KnownHosts.Preferred(SshNetOrder[1..], ["ssh-ed25519", "ssh-rsa"]));
        Assert.Equal(SshNetOrder, KnownHosts.Preferred(SshNetOrder, []));
        Assert.Equal(["ssh-rsa", "ssh-ed25519"], KnownHosts.KnownTypes($"login ssh-rsa {B64(Other)}\n@revoked login ssh-dss {B64(Other)}\nlogin,x ssh-ed25519 {B64(Key)}\nother ecdsa-sha2-nistp256 {B64(Key)}\n", "login"));
    }

    [Fact]
    public void A_key_blob_names_its_type()
    {
        byte[] blob = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32, .. new byte[32]];
        Assert.Equal("ssh-ed25519", KnownHosts.KeyType(blob));
        Assert.Equal("unknown", KnownHosts.KeyType([0, 0, 0, 200, 1]));
    }

    [Theory]
    [InlineData("alice@login.cluster", "alice", "login.cluster", 22, "login.cluster")]
    [InlineData("a.b-c@10.0.0.1:2222", "a.b-c", "10.0.0.1", 2222, "[10.0.0.1]:2222")]
    public void Ssh_host_is_user_at_host_and_port(string text, string user, string host, int port, string known)
    {
        Assert.True(SshTarget.TryParse(text, out var target));
        Assert.Equal((user, host, port, known), (target.User, target.Host, target.Port, target.KnownHostsName));
    }

    [Theory]
    [InlineData("login")]
    [InlineData("@login")]
    [InlineData("alice@login:0")]
    [InlineData("alice@login:x")]
    [InlineData("alice@lo gin")]
    public void A_bad_ssh_host_does_not_parse(string text) => Assert.False(SshTarget.TryParse(text, out _));

    [Theory]
    [InlineData("UNLIMITED", null)]
    [InlineData("30", 30.0)]
    [InlineData("00:30:00", 30.0)]
    [InlineData("1-00:00:00", 1440.0)]
    [InlineData("2-12", 3600.0)]
    [InlineData("5:30", 5.5)]
    public void Slurm_durations_read_as_minutes(string text, double? minutes) => Assert.Equal(minutes, SlurmSshClient.ParseMinutes(text));

    [Fact]
    public void A_job_line_of_scontrol_reads_state_reason_exit_code_and_restarts()
    {
        // Field names as scontrol show job -o prints them (Slurm 22.05; seen on the local Slurm of these tests).
        var job = SlurmSshClient.ParseJob("JobId=17 JobName=severstal-seg3 UserId=root(0) JobState=PENDING Reason=BeginTime Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 ExitCode=0:15 RunTime=00:00:00");
        Assert.Equal((17L, "PENDING", "BeginTime", 0, 1), (job.Id, job.State, job.Reason, job.ExitCode, job.RestartCount));
        Assert.Equal(4, SlurmSshClient.ParseJob("JobId=18 JobState=FAILED Reason=NonZeroExitCode ExitCode=4:0").ExitCode);
    }

    [Fact]
    public void Shell_words_are_single_quoted() => Assert.Equal("'it'\\''s a path'", SlurmSshClient.Quote("it's a path"));
}
