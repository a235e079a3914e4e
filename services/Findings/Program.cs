using ImageScanning.Findings.Extensions;
using ImageScanning.ServiceDefaults.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("findings");
builder.AddFindings();
builder.AddMessaging(bus => bus.AddFindingsConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
