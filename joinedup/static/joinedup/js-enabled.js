// What the NHS.UK page template does with an inline script. It lives in a file
// because JoinedUp's Content-Security-Policy allows scripts from 'self' only.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
