using System.Text;

namespace SteelCI.Kaggle.Credentials;

/// <summary>How one account signs its requests: an API token (Bearer, preferred) or a legacy username/key (Basic).</summary>
public abstract record KaggleCredential(string Source)
{
    internal abstract string AuthorizationHeader();

    /// <summary>Whether a 401 means "renew the token" or "replace the legacy key".</summary>
    public abstract string RenewHint { get; }
}

/// <summary>A KGAT_ API token, from KAGGLE_API_TOKEN or an access_token file.</summary>
public sealed record TokenCredential(Secret Token, string Source) : KaggleCredential(Source)
{
    internal override string AuthorizationHeader() => "Bearer " + Token.Reveal();
    public override string RenewHint => "renew it at https://www.kaggle.com/settings (API → Generate New Token)";
    public override string ToString() => $"token from {Source}";
}

/// <summary>A legacy kaggle.json username/key pair, sent as HTTP Basic.</summary>
public sealed record LegacyKeyCredential(string Username, Secret Key, string Source) : KaggleCredential(Source)
{
    internal override string AuthorizationHeader() =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Key.Reveal()}"));
    public override string RenewHint =>
        "legacy keys are rotated on every new download of kaggle.json; create an API token at https://www.kaggle.com/settings and set KAGGLE_API_TOKEN";
    public override string ToString() => $"legacy key of {Username} from {Source}";
}

/// <summary>One Kaggle account SteelCI may use: a name chosen by the team, its credential, and the owner slug once known.</summary>
public sealed record KaggleAccount(string Name, KaggleCredential Credential)
{
    /// <summary>The Kaggle username, when the credential carries it (legacy keys); tokens learn it from IntrospectToken.</summary>
    public string? KnownUsername => (Credential as LegacyKeyCredential)?.Username;

    public override string ToString() => $"account {Name} ({Credential})";
}
