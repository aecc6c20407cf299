// The one composition root: the only place that creates the real clock, consoles and process runner. Every command
// receives them (and the factories of stores, state, Kaggle clients and runners) through one CliServices object.
#pragma warning disable RS0030 // the static AnsiConsole and TimeProvider.System are banned everywhere else in src/ (src/BannedSymbols.txt)
using System.CommandLine;
using Spectre.Console;
using SteelCI.Cli;
using SteelCI.Kernels;
using SteelCI.Local;
using SteelCI.Spec;

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected) // logs are read in wide viewers: paths and URLs in messages must not wrap
    console.Profile.Width = Math.Max(console.Profile.Width, 200);
var errors = AnsiConsole.Create(new AnsiConsoleSettings
{
    Out = new AnsiConsoleOutput(Console.Error), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No,
});
var services = new CliServices(TimeProvider.System, console, errors, new SystemProcessRunner()); // the one real clock
#pragma warning restore RS0030

var root = new RootCommand("SteelCI: multi-stage TorchSharp training on this machine and on Kaggle, with checkpoints as releases")
{
    RunCommand.Create(services),
    TickCommand.Create(services),
    PlanCommand.Create(services),
    StatusCommand.Create(services),
    LogsCommand.Create(services),
    CancelCommand.Create(services),
    RetryCommand.Create(services),
    PinCommand.Create(services),
    PinCommand.CreateUnpin(services),
    DoctorCommand.Create(services),
    PruneCommand.Create(services),
    ValidateCommand.Create(services),
    CleanCommand.Create(services),
    DownloadCommand.Create(services),
    InitCommand.Create(services),
    SetupCommand.Create(services),
    PredictCommand.Create(services),
    KaggleProbeCommand.Create(services),
    FakeKaggleCommand.Create(services),
    SlurmRuntimeCommand.Create(services),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A command line that cannot be read is exit 2, like a broken pipeline file: nothing ran.
    foreach (var parseError in parsed.Errors)
        Console.Error.WriteLine($"error: {parseError.Message}");
    var name = parsed.CommandResult.Command == root ? "steelci" : $"steelci {parsed.CommandResult.Command.Name}";
    Console.Error.WriteLine($"See: {name} --help");
    return ExitCodes.InvalidInput;
}

try
{
    // Our own handlers below turn known failures into clear messages and exit codes (2 setup, 1 a stage, 3 the
    // infrastructure, 4 busy); anything else is a bug and should surface with its stack trace.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (SpecException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (NotSupportedException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (RunLockedException error)
{
    return Fail(error.Message, ExitCodes.Busy);
}
catch (SteelCI.Ports.StateLockedException error) // the GitHub state's lease is held, or another runner saved first
{
    return Fail(error.Message, ExitCodes.Busy);
}
catch (SteelCI.Running.TrainerPinException error) // the pinned bundle cannot be obtained: a person decides (restore it or unpin)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (SteelCI.Running.TrainerSourceKeyException error) // the trainer's source key missed an input; the next tick publishes
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (TrainerBuildException error)
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (InvalidDataException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (SteelCI.Kaggle.Credentials.KaggleCredentialsException error)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (Octokit.AuthorizationException error) // 401: a wrong or expired token (the token itself is never printed)
{
    return Fail($"GitHub at {Settings.GitHubApi} refused the token ({(int)error.StatusCode}: {error.Message}); set a valid token in " +
        "STEELCI_GITHUB_TOKEN or GITHUB_TOKEN (permissions: contents: write)", ExitCodes.InvalidInput);
}
catch (Octokit.NotFoundException error) // the repository is not there, or the token cannot see it
{
    return Fail($"GitHub at {Settings.GitHubApi}: {error.Message} (404); check GITHUB_REPOSITORY and that the token can read it",
        ExitCodes.InvalidInput);
}
catch (Exception error) when (Infrastructure.Is(error)) // no capacity, quota out, an API down: not the code's fault
{
    return Fail(Infrastructure.Describe(error), ExitCodes.Infrastructure);
}
catch (SteelCI.Kaggle.Api.KaggleException error) // messages name the account and what to do; never a secret
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (SteelCI.GitHub.GitHubStoreException error) when (error.InnerException is { } inner && Infrastructure.IsTransient(inner))
{
    return Fail(Infrastructure.Describe(error) + $" [GitHub API {Settings.GitHubApi}]", ExitCodes.Infrastructure);
}
catch (SteelCI.GitHub.GitHubStoreException error) // missing release, refused checksum; never the token
{
    return Fail(error.Message, ExitCodes.StageFailed);
}
catch (IOException error) // a path the user gave cannot be read or written (the message names it)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}
catch (UnauthorizedAccessException error) // no permission on a path the user gave (the message names it)
{
    return Fail(error.Message, ExitCodes.InvalidInput);
}

// One line on stderr, never wrapped: paths and URLs in it stay whole for copying.
static int Fail(string message, int code)
{
    Console.Error.WriteLine($"error: {message}");
    return code;
}
