// Passkeys on the sign-in pages (issue 14). Loaded as a same-origin file (CSP script-src 'self'),
// with @simplewebauthn/browser (served as /assets/simplewebauthn-browser.js) before it. Every form
// with data-passkey-purpose gets its WebAuthn ceremony: the options are fetched from the server,
// the browser's answer is put in the form's "response" field and the form is posted as usual.
// Without JavaScript these forms stay hidden and the pages work with a password and TOTP.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  function fetchOptions(form) {
    var body = new URLSearchParams();
    body.set('csrf', form.elements.csrf.value);
    body.set('purpose', form.getAttribute('data-passkey-purpose'));
    return fetch(form.getAttribute('data-options-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    }).then(function (res) {
      if (!res.ok) throw new Error('options ' + res.status);
      return res.json();
    });
  }

  function ceremony(form, optionsJSON, autofill) {
    var purpose = form.getAttribute('data-passkey-purpose');
    return purpose === 'register'
      ? lib.startRegistration({ optionsJSON: optionsJSON })
      : lib.startAuthentication({ optionsJSON: optionsJSON, useBrowserAutofill: autofill });
  }

  function finish(form, answer) {
    form.elements.response.value = JSON.stringify(answer);
    HTMLFormElement.prototype.submit.call(form);
  }

  function showError(form) {
    var status = form.querySelector('[data-passkey-status]');
    if (!status) return;
    status.setAttribute('role', 'alert');
    status.hidden = false;
  }

  var forms = document.querySelectorAll('form[data-passkey-purpose]');
  Array.prototype.forEach.call(forms, function (form) {
    var section = form.closest('[data-passkey-section]');
    if (section) section.hidden = false;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      fetchOptions(form)
        .then(function (options) {
          return ceremony(form, options, false);
        })
        .then(function (answer) {
          finish(form, answer);
        })
        .catch(function () {
          showError(form);
        });
    });
    // Conditional UI (WebAuthn §5.1.4.1 "conditional mediation"): passkeys offered in the
    // username field's autofill, on the login page only.
    if (form.hasAttribute('data-passkey-autofill')) {
      lib.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (!supported) return;
        fetchOptions(form)
          .then(function (options) {
            return ceremony(form, options, true);
          })
          .then(function (answer) {
            finish(form, answer);
          })
          .catch(function () {
            /* the user typed a password instead, or cancelled */
          });
      });
    }
  });
})();
