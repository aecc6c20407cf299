// SteelCI build script (Cake 7, `dotnet cake`). Targets: Pipeline (default), Advance, Test, Clean, Status, Validate, Build.
//   dotnet cake                                  run the Severstal pipeline here (profile demo)
//   dotnet cake --profile=ci --force             another profile; retrain everything
//   dotnet cake --data=/path/to/severstal        the real competition download instead of synthetic data
//   dotnet cake --target=Test                    every test, with a one-line summary
//   dotnet cake --target=Download --stage=submission --output=model [--store=github]   a stage's trained checkpoint
//   dotnet cake --target=Advance [--backend=kaggle] [--store=github]  one reconcile tick (`steelci tick`); the scheduled workflow runs it
//                                                (profile: --profile, else $STEELCI_PROFILE, else schedule.profile in steelci.yml, else none)
#load "build/parameters.cake"
#load "build/steelci.cake"
#load "build/tests.cake"

var parameters = BuildParameters.From(Context);

Task("Build")
    .Description("Builds the steelci executable (skipped when the output is stamped with the committed sources, as a restored cache is)")
    .Does(() =>
    {
        var sources = SteelCi.CommittedSources(Context);
        if (sources != null && SteelCi.BuiltFrom(Context, parameters) == sources)
        {
            Information("steelci is already built from these sources (stamp {0}); not building", SteelCi.StampFile(Context, parameters));
            return;
        }
        DotNetBuild("src/SteelCI.Cli/SteelCI.Cli.csproj", new DotNetBuildSettings
        {
            Configuration = parameters.Configuration,
            NoLogo = true,
            Verbosity = DotNetVerbosity.Minimal,
        });
        SteelCi.Stamp(Context, parameters, sources);
    });

Task("Pipeline")
    .Description("Runs the pipeline on this machine and prints the summary table")
    .IsDependentOn("Build")
    .Does(() =>
    {
        var extra = new List<string> { "--profile", parameters.Profile };
        if (parameters.Data != null) { extra.Add("--data"); extra.Add($"\"{parameters.Data}\""); }
        if (parameters.Force) extra.Add("--force");
        if (parameters.Slots != null) { extra.Add("--slots"); extra.Add(parameters.Slots); }
        if (parameters.Store != null) { extra.Add("--store"); extra.Add(parameters.Store); }
        SteelCi.Run(Context, parameters, "run", extra.ToArray());
    });

Task("Advance")
    .Description("One reconcile tick of the pipeline (steelci tick): poll, publish, place ready work, persist; never waits")
    .IsDependentOn("Build")
    .Does(() =>
    {
        // No demo by default: without --profile the tick trains $STEELCI_PROFILE, else schedule.profile in steelci.yml, else the base values.
        var extra = new List<string>();
        var profile = Argument<string>("profile", null);
        if (!string.IsNullOrEmpty(profile)) { extra.Add("--profile"); extra.Add(profile); }
        var backend = Argument<string>("backend", null);
        if (backend != null) { extra.Add("--backend"); extra.Add(backend); }
        if (parameters.Store != null) { extra.Add("--store"); extra.Add(parameters.Store); }
        if (parameters.Data != null) { extra.Add("--data"); extra.Add($"\"{parameters.Data}\""); }
        try
        {
            SteelCi.Run(Context, parameters, "tick", extra.ToArray());
        }
        catch (CakeException error) when (error.ExitCode == 4)
        {
            Information("Another tick of this pipeline holds its lock; this one did nothing.");
        }
    });

Task("Download")
    .Description("Downloads a stage's newest finished checkpoint (--stage) or a release (--release) into --output, verified")
    .IsDependentOn("Build")
    .Does(() =>
    {
        if (parameters.Output == null || (parameters.Stage == null && parameters.Release == null))
            throw new CakeException(2, "Download needs --stage=NAME (or --release=TAG) and --output=DIR");
        var extra = new List<string> { "--output", $"\"{parameters.Output}\"" };
        if (parameters.Stage != null) { extra.Add("--stage"); extra.Add(parameters.Stage); }
        if (parameters.Release != null) { extra.Add("--release"); extra.Add(parameters.Release); }
        if (parameters.Store != null) { extra.Add("--store"); extra.Add(parameters.Store); }
        SteelCi.Run(Context, parameters, "download", extra.ToArray());
    });

Task("Plan")
    .Description("Prints the predicted schedule on the team's Kaggle accounts and writes a Gantt PNG (steelci plan)")
    .IsDependentOn("Build")
    .Does(() =>
    {
        var extra = new List<string> { "--profile", parameters.Profile };
        foreach (var account in Arguments<string>("account", new string[0])) { extra.Add("--account"); extra.Add(account); }
        SteelCi.Run(Context, parameters, "plan", extra.ToArray());
    });

Task("Simulate")
    .Description("The scheduler on fake time against a simulated Kaggle: the Severstal plan on 1 to 6 accounts, both lower bounds, SteelCI vs round-robin vs greedy (--jitter=0.15 runs seeds 1-10; --seeds=1-20, --learning=live|none)")
    .Does(() =>
    {
        var jitter = Argument<string>("jitter", "0");
        var seeds = Argument<string>("seeds", jitter == "0" ? "1" : "1-10");
        var arguments = new ProcessArgumentBuilder().Append("run").Append("--project").Append("bench/SteelCI.Simulate")
            .Append("-c").Append("Release").Append("--").Append("--jitter").Append(jitter).Append("--seeds").Append(seeds)
            .Append("--out").AppendQuoted("artifacts/simulation");
        var learning = Argument<string>("learning", null);
        if (learning != null)
            arguments.Append("--learning").Append(learning);
        var exitCode = StartProcess("dotnet", new ProcessSettings { Arguments = arguments });
        if (exitCode != 0)
            throw new CakeException(exitCode, "the simulator failed");
    });

Task("Validate")
    .Description("Checks the pipeline file and lists its stages")
    .IsDependentOn("Build")
    .Does(() => SteelCi.Run(Context, parameters, "validate", "--profile", parameters.Profile));

Task("Status")
    .Description("Shows the stages and attempts recorded for the pipeline")
    .IsDependentOn("Build")
    .Does(() => SteelCi.Run(Context, parameters, "status"));

Task("Test")
    .Description("Runs every test project and prints 'N passed, N failed'")
    .Does(() => Tests.Run(Context, parameters));

Task("Clean")
    .Description("Deletes the pipeline's workspace (.steelci), test results and build outputs")
    .IsDependentOn("Build")
    .Does(() =>
    {
        SteelCi.Run(Context, parameters, "clean");
        CleanDirectories("artifacts");
        DotNetClean("SteelCI.sln", new DotNetCleanSettings { Verbosity = DotNetVerbosity.Quiet });
    });

Task("Default").IsDependentOn("Pipeline");

RunTarget(parameters.Target);
