using ImageScanning.CveFeed.Extensions;
using ImageScanning.ServiceDefaults.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("cve-feed");
builder.AddCveFeed();
builder.AddMessaging(_ => { });

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCveFeedEndpoints();
app.Run();
