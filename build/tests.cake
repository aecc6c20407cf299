using System.Xml.Linq;

// Runs every test project and prints one summary line ("N passed, N failed, N skipped") from the TRX files.
public static class Tests
{
    // The Slurm backend's tests start a real single-node Slurm (tests/SteelCI.Slurm.Tests/LocalSlurm.cs) from Debian 12's
    // packages: 13 packages, about 3.6 MB, about 30 s to install. Without them those tests fail (they never skip).
    private const string SlurmPackages = "slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin munge openssh-server"; // sshd: the login node of the SSH route

    public static void Run(ICakeContext context, BuildParameters parameters)
    {
        EnsureSlurm(context);
        var results = context.MakeAbsolute(context.Directory("artifacts/test-results"));
        context.EnsureDirectoryExists(results);
        context.CleanDirectory(results);
        var settings = new DotNetTestSettings
        {
            Configuration = "Debug",
            ResultsDirectory = results,
            Loggers = new[] { "trx", "console;verbosity=normal" },
            Filter = parameters.Filter,
            // A test that runs past this is killed and named below, so a hang fails the run instead of eating CI's limit.
            ArgumentCustomization = args => args.Append("--blame-hang-timeout").Append("20m").Append("--blame-hang-dump-type").Append("none"),
        };
        Exception failure = null;
        try
        {
            context.DotNetTest("SteelCI.sln", settings);
        }
        catch (CakeException error)
        {
            failure = error;
        }
        int passed = 0, failed = 0, skipped = 0;
        foreach (var trx in context.GetFiles($"{results}/*.trx"))
        {
            var counters = XDocument.Load(trx.FullPath).Descendants().First(e => e.Name.LocalName == "Counters");
            passed += (int)counters.Attribute("passed");
            failed += (int)counters.Attribute("failed");
            skipped += (int)counters.Attribute("notExecuted");
        }
        foreach (var sequence in context.GetFiles($"{results}/**/Sequence_*.xml"))
            foreach (var test in XDocument.Load(sequence.FullPath).Descendants().Where(e => e.Name.LocalName == "Test" && (string)e.Attribute("Completed") == "False"))
                System.Console.WriteLine($"still running when its test host was stopped: {(string)test.Attribute("Name")}");
        // Plain text on a line of its own (Cake's log would colour the numbers): CI reads this line.
        System.Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        if (failure != null)
            throw failure;
    }

    private static void EnsureSlurm(ICakeContext context)
    {
        if (new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/slurmrestd", "/usr/sbin/munged", "/usr/sbin/sshd" }.All(System.IO.File.Exists))
            return;
        if (System.Environment.UserName != "root" || !System.IO.File.Exists("/usr/bin/apt-get"))
        {
            context.Warning($"Slurm is not installed, so the Slurm tests will fail. As root on Debian: apt-get install -y --no-install-recommends {SlurmPackages}");
            return;
        }
        context.Information($"Installing Slurm for the Slurm backend's tests: {SlurmPackages}");
        foreach (var arguments in new[] { "update", $"install -y --no-install-recommends {SlurmPackages}" })
        {
            var settings = new ProcessSettings { Arguments = arguments, EnvironmentVariables = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" } };
            var exit = context.StartProcess("/usr/bin/apt-get", settings);
            if (exit != 0)
                throw new CakeException(exit, $"apt-get {arguments} failed with exit code {exit}");
        }
    }
}
