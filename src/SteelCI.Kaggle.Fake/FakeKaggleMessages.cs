namespace SteelCI.Kaggle.Fake;

/// <summary>The fake's texts for behaviours no public log quotes: each wording is a guess ([G] in docs/kaggle.md).</summary>
public static class FakeKaggleMessages
{
    /// <summary>A running GPU session's failureMessage once the account's weekly GPU quota is spent.</summary>
    public const string QuotaSpent = "Your weekly GPU quota has been used up; the session was stopped";

    /// <summary>SaveKernel's <c>error</c> for a GPU push with the week's quota spent.</summary>
    public const string QuotaRefusal = "You have used all of your GPU quota for this week. It refreshes on Saturday.";
}
