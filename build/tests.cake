using System.Xml.Linq;

// Runs every test project and prints one summary line ("N passed, N failed, N skipped") from the TRX files.
public static class Tests
{
    public static void Run(ICakeContext context, BuildParameters parameters)
    {
        var results = context.MakeAbsolute(context.Directory("artifacts/test-results"));
        context.EnsureDirectoryExists(results);
        context.CleanDirectory(results);
        var settings = new DotNetTestSettings
        {
            Configuration = "Debug",
            ResultsDirectory = results,
            Loggers = new[] { "trx", "console;verbosity=normal" },
            Filter = parameters.Filter,
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
        // Plain text on a line of its own (Cake's log would colour the numbers): CI reads this line.
        System.Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        if (failure != null)
            throw failure;
    }
}
